/**
 * Forms in the designer: versions, the draft (saved as the designer goes), publication from a day,
 * the comparison of two versions, export and import.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { ApiError } from '#shared/contract'
import { api, tenantBase } from './client'

export type { FormDefinitionJson } from '#shared/form_fields'
import type { FormDefinitionJson } from '#shared/form_fields'

export interface FormVersionSummaryDto {
  version: number
  valid_from: string | null
  source: string
  published_by: number | null
  published_at: string | null
  in_force: boolean
}

export interface FormDraftDto {
  form: string
  based_on: number | null
  origin: string
  definition: FormDefinitionJson
  updated_by: number | null
  updated_at: string | null
}

export interface FormDiffChange {
  what: string
  before: unknown
  after: unknown
}

export interface FormDiffDto {
  from: string
  to: string
  fields: {
    added: Array<{ path: string; title: { it?: string; en?: string } }>
    removed: Array<{ path: string; title: { it?: string; en?: string } }>
    changed: Array<{ path: string; title: { it?: string; en?: string }; changes: FormDiffChange[] }>
  }
  rules: { added: string[]; removed: string[]; changed: Array<{ id: string; changes: FormDiffChange[] }> }
  other: string[]
}

const base = (slug: string, key: string) => `${tenantBase(slug)}/forms/${encodeURIComponent(key)}`

export const formDesignerKeys = {
  versions: (slug: string, key: string) => ['form-versions', slug, key] as const,
  version: (slug: string, key: string, n: number) => ['form-version', slug, key, n] as const,
  draft: (slug: string, key: string) => ['form-draft', slug, key] as const,
}

export function useFormVersions(slug: string, key: string) {
  return useQuery({
    queryKey: formDesignerKeys.versions(slug, key),
    queryFn: () =>
      api<{
        form: { key: string; service: string; title: Record<string, string> }
        versions: FormVersionSummaryDto[]
      }>('GET', `${base(slug, key)}/versions`),
  })
}

export function useFormVersion(slug: string, key: string, n: number | null) {
  return useQuery({
    queryKey: formDesignerKeys.version(slug, key, n ?? 0),
    enabled: n !== null,
    staleTime: Infinity,
    queryFn: () => api<{ definition: FormDefinitionJson }>('GET', `${base(slug, key)}/versions/${n}`),
  })
}

export function useFormDraft(slug: string, key: string) {
  return useQuery({
    queryKey: formDesignerKeys.draft(slug, key),
    queryFn: () =>
      api<{ draft: FormDraftDto | null; can_publish: boolean; designers_publish: boolean }>(
        'GET',
        `${base(slug, key)}/draft`
      ),
  })
}

export function useStartFormDraft(slug: string, key: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => api<{ draft: FormDraftDto }>('POST', `${base(slug, key)}/draft`, {}),
    onSuccess: () => client.invalidateQueries({ queryKey: formDesignerKeys.draft(slug, key) }),
  })
}

/** The autosave: the answer lists what would stop the publication, by path. */
export function useSaveFormDraft(slug: string, key: string) {
  return useMutation({
    mutationFn: (definition: FormDefinitionJson) =>
      api<{ draft: FormDraftDto; problems: ApiError[] }>('PUT', `${base(slug, key)}/draft`, { definition }),
  })
}

export function useDiscardFormDraft(slug: string, key: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => api<void>('DELETE', `${base(slug, key)}/draft`),
    onSuccess: () => client.invalidateQueries({ queryKey: formDesignerKeys.draft(slug, key) }),
  })
}

export function usePublishFormDraft(slug: string, key: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (validFrom: string) =>
      api<{ version: FormVersionSummaryDto }>('POST', `${base(slug, key)}/draft/publish`, { valid_from: validFrom }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: formDesignerKeys.draft(slug, key) })
      void client.invalidateQueries({ queryKey: formDesignerKeys.versions(slug, key) })
      void client.invalidateQueries({ queryKey: ['forms', slug] })
    },
  })
}

export function compareForms(slug: string, key: string, from: string, to: string) {
  return api<{ diff: FormDiffDto }>(
    'GET',
    `${base(slug, key)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
  )
}

/** What would stop the draft's publication, as saved (POST .../draft/check). */
export function checkFormDraft(slug: string, key: string) {
  return api<{ problems: ApiError[] }>('POST', `${base(slug, key)}/draft/check`)
}

export function importForm(slug: string, file: unknown) {
  return api<{ draft: FormDraftDto }>('POST', `${tenantBase(slug)}/forms/import`, file)
}

/** The address of a form's export file (a download: the browser keeps the session cookie). */
export const exportUrl = (slug: string, key: string) => `/api/v1${base(slug, key)}/export`
