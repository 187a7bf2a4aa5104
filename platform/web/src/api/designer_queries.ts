/**
 * The designer's server state: the rule sets, one rule set with its versions, its draft (saved
 * as the designer goes), the runs of its cases and sample evaluations on the draft.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Lang } from '#shared/contract'
import { api, tenantBase } from './client'

export interface RuleSetSummaryDto {
  id: string
  service: string
  title: Record<string, string>
  versions: number
  current_version: number | null
}

/** A rule set version's body as stored (rules/<service>/<id>.json): read as plain JSON. */
export type VersionBody = Record<string, unknown> & {
  tables?: Record<string, TableDto>
  conditions?: Record<string, unknown>
  formulas?: Record<string, { expression: string; reference: string; label?: Record<string, string> }>
  steps?: Array<Record<string, unknown> & { id: string; set: string; reference?: string }>
  outputs?: Record<string, OutputDto>
  rounding?: RoundingDto
  facts_schema?: Record<string, unknown>
  tests?: CaseDto[]
  note?: Record<string, string>
}

export interface TableDto {
  reference: string
  label?: Record<string, string>
  rows: string[]
  columns: string[]
  cells: Record<string, Record<string, string>>
}

export interface RoundingDto {
  decimals: number
  mode: string
}

export interface OutputDto {
  var: string
  type: string
  rounding?: RoundingDto
  unit?: unknown
}

export interface CaseDto {
  name: string
  at: string
  facts: Record<string, unknown>
  expected: Record<string, unknown>
  expected_error?: string
}

export interface VersionDto {
  version: number
  valid_from: string
  valid_to: string | null
  published_valid_to: string | null
  source: string
  published_by: number | null
  created_at: string | null
  body: VersionBody
}

export interface RuleSetDto {
  id: string
  service: string
  title: Record<string, string>
  versions: VersionDto[]
}

export interface DraftDto {
  ruleset: string
  based_on: number
  valid_from: string
  body: VersionBody
  updated_by: number | null
  updated_at: string | null
  replaces: number | null
}

export interface TraceEntryDto {
  step: string
  kind: string
  message: string
  message_en?: string
  source?: string
  value?: unknown
}

export interface CaseOutcomeDto {
  name: string
  version: number
  declared_in: number
  at: string
  ok: boolean
  expected: Record<string, unknown>
  actual: Record<string, unknown>
  diffs: string[]
  error?: string
  trace?: TraceEntryDto[]
}

export interface TestRunDto {
  passed: number
  failed: number
  cases: CaseOutcomeDto[]
}

export interface SampleEvaluationDto {
  version: number
  at: string
  result: Record<string, unknown>
  trace: TraceEntryDto[]
  summary?: { text?: string }
}

const rs = (slug: string, id: string) => `${tenantBase(slug)}/rulesets/${encodeURIComponent(id)}`

export const designerKeys = {
  rulesets: (slug: string) => ['rulesets', slug] as const,
  ruleset: (slug: string, id: string) => ['ruleset', slug, id] as const,
  draft: (slug: string, id: string) => ['ruleset-draft', slug, id] as const,
}

export function useRuleSets(slug: string) {
  return useQuery({
    queryKey: designerKeys.rulesets(slug),
    queryFn: () => api<{ rulesets: RuleSetSummaryDto[] }>('GET', `${tenantBase(slug)}/rulesets`),
  })
}

export function useRuleSet(slug: string, id: string) {
  return useQuery({
    queryKey: designerKeys.ruleset(slug, id),
    queryFn: () => api<{ ruleset: RuleSetDto }>('GET', rs(slug, id)),
  })
}

export function useDraft(slug: string, id: string) {
  return useQuery({
    queryKey: designerKeys.draft(slug, id),
    queryFn: () =>
      api<{ draft: DraftDto | null; can_publish: boolean; designers_publish: boolean }>('GET', `${rs(slug, id)}/draft`),
  })
}

export function useStartDraft(slug: string, id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: { valid_from: string; from_version?: number }) =>
      api<{ draft: DraftDto }>('POST', `${rs(slug, id)}/draft`, input),
    onSuccess: () => client.invalidateQueries({ queryKey: designerKeys.draft(slug, id) }),
  })
}

/** The autosave: the draft's answer replaces the cached one, so the page keeps what it has. */
export function useSaveDraft(slug: string, id: string) {
  return useMutation({
    mutationFn: (input: { valid_from?: string; body?: VersionBody }) =>
      api<{ draft: DraftDto }>('PUT', `${rs(slug, id)}/draft`, input),
  })
}

export function useDiscardDraft(slug: string, id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => api<void>('DELETE', `${rs(slug, id)}/draft`),
    onSuccess: () => client.invalidateQueries({ queryKey: designerKeys.draft(slug, id) }),
  })
}

export function useRunDraft(slug: string, id: string) {
  return useMutation({ mutationFn: () => api<TestRunDto>('POST', `${rs(slug, id)}/draft/run`) })
}

export function useRunCases(slug: string, id: string) {
  return useMutation({ mutationFn: () => api<TestRunDto>('POST', `${rs(slug, id)}/tests/run`, {}) })
}

export function useTryDraft(slug: string, id: string, draft: boolean) {
  return useMutation({
    mutationFn: (input: { at: string; facts: unknown; lang: Lang }) =>
      api<SampleEvaluationDto>('POST', `${rs(slug, id)}/${draft ? 'draft/evaluate' : 'evaluate'}`, {
        at: input.at,
        facts: input.facts,
      }),
  })
}

export function usePublishDraft(slug: string, id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => api<{ version: VersionDto }>('POST', `${rs(slug, id)}/draft/publish`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: designerKeys.draft(slug, id) })
      void client.invalidateQueries({ queryKey: designerKeys.ruleset(slug, id) })
      void client.invalidateQueries({ queryKey: designerKeys.rulesets(slug) })
    },
  })
}

export function checkFormula(slug: string, id: string, expression: string) {
  return api<{ ok: boolean; message?: string }>('POST', `${rs(slug, id)}/formulas/check`, { expression })
}
