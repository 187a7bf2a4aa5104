/**
 * The office's injunctions and coercive-collection records (`/billing/injunctions`,
 * `/billing/collection-records`): the payers due an injunction, issuing them, the records handed
 * over. After a change, the lists are read again.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Lang } from '#shared/contract'
import { api, tenantBase } from './client'

export interface InjunctionCandidateDto {
  payer_user_id: number
  payer_name: string | null
  payer_fiscal_code: string | null
  letter_date: string
  owed_cents: number
  owed: string
  positions: Array<{ id: number; iupd: string; period: string; owed_cents: number }>
}

export interface InjunctionDto {
  id: number
  number: string
  status: 'issuing' | 'issued' | 'paid'
  payer_name: string | null
  payer_fiscal_code: string | null
  owed: string
  due_date: string
  protocol: string | null
  protocol_date: string | null
  collection_record_id: number | null
  positions: Array<{ id: number; notice_code: string; subject: string; owed: string }>
  /** The pagoPA position that replaced the positions demanded, for the total. */
  position: { id: number; notice_code: string; status: string } | null
}

export interface CollectionRecordDto {
  id: number
  number: number
  layout: string
  injunctions: number
  total: string
  created_at: string
}

const base = (slug: string) => `${tenantBase(slug)}/billing`

/** `afterDays` null: the tenant's setting (billing.injunctionAfterDays), which the answer names. */
export function useInjunctionCandidates(slug: string, afterDays: number | null, lang: Lang) {
  return useQuery({
    queryKey: ['injunction-candidates', slug, afterDays, lang],
    queryFn: () =>
      api<{ candidates: InjunctionCandidateDto[]; truncated: boolean; after_days: number }>(
        'GET',
        `${base(slug)}/injunctions/candidates${afterDays === null ? '' : `?after_days=${afterDays}`}`
      ),
  })
}

export function useInjunctions(slug: string, lang: Lang) {
  return useQuery({
    queryKey: ['injunctions', slug, lang],
    queryFn: () => api<{ injunctions: InjunctionDto[]; has_more: boolean }>('GET', `${base(slug)}/injunctions`),
  })
}

export function useCollectionRecords(slug: string) {
  return useQuery({
    queryKey: ['collection-records', slug],
    queryFn: () => api<{ records: CollectionRecordDto[] }>('GET', `${base(slug)}/collection-records`),
  })
}

function useRefresh(slug: string) {
  const client = useQueryClient()
  return () => {
    void client.invalidateQueries({ queryKey: ['injunction-candidates', slug] })
    void client.invalidateQueries({ queryKey: ['injunctions', slug] })
    void client.invalidateQueries({ queryKey: ['collection-records', slug] })
  }
}

export function useIssueInjunctions(slug: string) {
  const refresh = useRefresh(slug)
  return useMutation({
    mutationFn: (body: { after_days?: number }) =>
      api<{ issued: number; truncated: boolean }>('POST', `${base(slug)}/injunctions`, body),
    onSuccess: refresh,
  })
}

export function useCreateCollectionRecord(slug: string) {
  const refresh = useRefresh(slug)
  return useMutation({
    mutationFn: (body: { after_days?: number }) =>
      api<{ record: CollectionRecordDto | null }>('POST', `${base(slug)}/collection-records`, body),
    onSuccess: refresh,
  })
}

/** The address of a record's file (fixed-width text or CSV) and of an injunction's PDF, for links. */
export const recordFileUrl = (slug: string, id: number, format: 'txt' | 'csv') =>
  `/api/v1${base(slug)}/collection-records/${id}/file?format=${format}`
export const injunctionPdfUrl = (slug: string, id: number) => `/api/v1${base(slug)}/injunctions/${id}/pdf`
