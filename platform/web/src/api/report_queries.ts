/**
 * The reports the plugins declare, as the back office lists them (per tenant, per reader's roles,
 * in the reader's language), and the runs that produce their files in the background.
 */
import { useMutation, useQuery } from '@tanstack/react-query'
import type { Lang } from '#shared/contract'
import { api, tenantBase } from './client'

/** One parameter of a report, as its JSON Schema declares it. */
export interface ReportParamSchema {
  type?: string
  pattern?: string
  enum?: Array<string | number>
  title?: string
  default?: unknown
  minimum?: number
  maximum?: number
  maxLength?: number
}

export interface ReportDto {
  id: string
  plugin: string
  service: string
  title: string
  description: string | null
  params: { type: 'object'; properties?: Record<string, ReportParamSchema>; required?: string[] }
  columns: Array<{ key: string; label: string; type: string }>
}

export type ReportFormat = 'xlsx' | 'csv'

export interface ReportRunDto {
  id: number
  report: string
  format: ReportFormat
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired'
  done: number
  total: number | null
  error: string | null
  download: string | null
}

export function useReports(slug: string, lang: Lang) {
  return useQuery({
    queryKey: ['reports', slug, lang] as const,
    queryFn: async () => (await api<{ reports: ReportDto[] }>('GET', `${tenantBase(slug)}/reports`)).reports,
  })
}

/** Asks for a report's file: the answer is the run, followed with `useReportRun`. */
export function useStartReportRun(slug: string, reportId: string) {
  return useMutation({
    mutationFn: async (input: { format: ReportFormat; params: Record<string, string> }) =>
      (
        await api<{ run: ReportRunDto }>(
          'POST',
          `${tenantBase(slug)}/reports/${encodeURIComponent(reportId)}/runs`,
          input
        )
      ).run,
  })
}

/** A run's progress, read again every second until it finished (well or not). */
export function useReportRun(slug: string, reportId: string, runId: number | null) {
  return useQuery({
    queryKey: ['report-run', slug, reportId, runId] as const,
    enabled: runId !== null,
    queryFn: async () =>
      (
        await api<{ run: ReportRunDto }>(
          'GET',
          `${tenantBase(slug)}/reports/${encodeURIComponent(reportId)}/runs/${String(runId)}`
        )
      ).run,
    refetchInterval: (query) => {
      const status = query.state.data?.status
      return status === 'queued' || status === 'running' || status === undefined ? 1000 : false
    },
  })
}
