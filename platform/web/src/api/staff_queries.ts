/**
 * The back office's server state: the inbox (filters in the key, one page per cursor), the form
 * version an application was made on, and the status changes, after which the inbox, the
 * application and the lists that show it are read again.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type {
  BulkActionDto,
  CounterCitizenDto,
  PersonDetailDto,
  PersonDto,
  RenewResultDto,
  AuditAnswerDto,
  EnrolmentDetailDto,
  EnrolmentSummaryDto,
  InboxAnswerDto,
  InboxSort,
  InboxStatus,
  Lang,
  SubmissionAnswer,
  SubmissionFormDto,
  SubmissionStatus,
} from '#shared/contract'
import { api, tenantBase } from './client'
import { keys } from './queries'

export interface InboxFilters {
  status?: InboxStatus | ''
  form?: string
  school?: string
  school_year?: string
  from?: string
  to?: string
  q?: string
  sort?: InboxSort
}

/** The query string of the filters set (empty ones left out), as the server reads it. */
export function inboxQueryString(filters: InboxFilters, after?: string | null) {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, String(value))
  if (after) params.set('after', after)
  return params.toString()
}

/** The tenant's active schools, as the catalog lists them (the inbox's school filter). */
export function useSchools(slug: string) {
  return useQuery({
    queryKey: ['catalog-schools', slug] as const,
    queryFn: () =>
      api<{ schools: Array<{ code: string; name: string }> }>('GET', `${tenantBase(slug)}/catalog/schools`),
    staleTime: 5 * 60_000,
  })
}

export const staffKeys = {
  inbox: (slug: string, query: string, lang: Lang) => ['inbox', slug, query, lang] as const,
  submissionForm: (slug: string, id: string) => ['submission-form', slug, id] as const,
}

export function useInbox(slug: string, filters: InboxFilters, after: string | null, lang: Lang) {
  const query = inboxQueryString(filters, after)
  return useQuery({
    queryKey: staffKeys.inbox(slug, query, lang),
    queryFn: () => api<InboxAnswerDto>('GET', `${tenantBase(slug)}/inbox${query ? `?${query}` : ''}`),
    placeholderData: keepPreviousData,
  })
}

export function useSubmissionForm(slug: string, id: string) {
  return useQuery({
    queryKey: staffKeys.submissionForm(slug, id),
    queryFn: () => api<SubmissionFormDto>('GET', `${tenantBase(slug)}/submissions/${encodeURIComponent(id)}/form`),
    // A form version never changes once published.
    staleTime: Number.POSITIVE_INFINITY,
  })
}

/** Accept, reject or send back for completion (with the reason the citizen will read). */
export function useChangeStatus(slug: string, id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (change: { status: Exclude<SubmissionStatus, 'draft' | 'submitted'>; reason?: string }) =>
      api<SubmissionAnswer>('POST', `${tenantBase(slug)}/submissions/${encodeURIComponent(id)}/status`, change),
    onSuccess: (answer) => {
      client.setQueryData(keys.submission(slug, answer.submission.id), answer.submission)
      void client.invalidateQueries({ queryKey: ['inbox', slug] })
      void client.invalidateQueries({ queryKey: keys.submissions(slug) })
      void client.invalidateQueries({ queryKey: ['enrolments', slug] })
    },
  })
}

export interface RegisterFilters {
  service?: string
  school_year?: string
  status?: string
}

export interface RegisterAnswer {
  enrolments: EnrolmentSummaryDto[]
  meta: { currentPage: number; lastPage: number; total: number }
}

export function useRegister(slug: string, filters: RegisterFilters, page: number, lang: Lang) {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value)
  params.set('page', String(page))
  return useQuery({
    queryKey: ['enrolments', slug, 'register', params.toString(), lang],
    queryFn: () => api<RegisterAnswer>('GET', `${tenantBase(slug)}/enrolments?${params.toString()}`),
    placeholderData: keepPreviousData,
  })
}

/** The services of the tenant, with their names, for the filters. */
export function useServices(slug: string) {
  return useQuery({
    queryKey: ['services', slug],
    queryFn: async () =>
      (
        await api<{ plugins: { id: string; name: Record<Lang, string>; enabled: boolean }[] }>(
          'GET',
          `${tenantBase(slug)}/plugins`
        )
      ).plugins.filter((p) => p.enabled),
    staleTime: 60_000,
  })
}

/** Sets the fee by hand (or gives it back to the computation with `amount: null`), with the reason. */
export function useOverrideFee(slug: string, id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (change: { amount: string | null; reason: string }) =>
      api<{ enrolment: EnrolmentDetailDto }>(
        'PUT',
        `${tenantBase(slug)}/enrolments/${encodeURIComponent(id)}/fee`,
        change
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['enrolments', slug] })
      void client.invalidateQueries({ queryKey: ['enrolment', slug, id] })
    },
  })
}

/** Accepts a selection of applications as a job: the answer is the job, followed with `useBulkAction`. */
export function useBulkAccept(slug: string) {
  return useMutation({
    mutationFn: (submissionIds: number[]) =>
      api<{ action: BulkActionDto }>('POST', `${tenantBase(slug)}/inbox/bulk-accept`, {
        submission_ids: submissionIds,
      }),
  })
}

/**
 * A bulk action's progress, read again every second until it is done; then the inbox, the
 * applications and the register, which it changed, are read again.
 */
export function useBulkAction(slug: string, id: string, lang: Lang) {
  const client = useQueryClient()
  return useQuery({
    queryKey: ['bulk-action', slug, id, lang],
    queryFn: async () => {
      const { action } = await api<{ action: BulkActionDto }>(
        'GET',
        `${tenantBase(slug)}/inbox/bulk/${encodeURIComponent(id)}`
      )
      if (action.status === 'done') {
        void client.invalidateQueries({ queryKey: ['inbox', slug] })
        void client.invalidateQueries({ queryKey: keys.submissions(slug) })
        void client.invalidateQueries({ queryKey: ['enrolments', slug] })
      }
      return action
    },
    refetchInterval: (query) => (query.state.data?.status === 'done' ? false : 1000),
  })
}

/** The counter: the tenant's citizen with a codice fiscale (a 404 means "add the person"). */
export function useCounterLookup(slug: string, fiscalCode: string) {
  return useQuery({
    queryKey: ['counter-citizen', slug, 'code', fiscalCode],
    queryFn: async () =>
      (
        await api<{ citizen: CounterCitizenDto }>(
          'GET',
          `${tenantBase(slug)}/counter/citizens?fiscal_code=${encodeURIComponent(fiscalCode)}`
        )
      ).citizen,
    enabled: fiscalCode !== '',
    retry: false,
  })
}

export function useCounterCitizen(slug: string, id: string) {
  return useQuery({
    queryKey: ['counter-citizen', slug, 'id', id],
    queryFn: async () =>
      (
        await api<{ citizen: CounterCitizenDto }>(
          'GET',
          `${tenantBase(slug)}/counter/citizens/${encodeURIComponent(id)}`
        )
      ).citizen,
    retry: false,
  })
}

/** Adds the person as a citizen of the tenant (or links the account they already have). */
export function useAddCitizen(slug: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (person: { fiscal_code: string; full_name: string; email: string }) =>
      api<{ citizen: CounterCitizenDto }>('POST', `${tenantBase(slug)}/counter/citizens`, person),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['counter-citizen', slug] }),
  })
}

/** Withdraws an enrolment from a day, with the reason. */
export function useWithdrawEnrolment(slug: string, id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (change: { from: string; reason: string }) =>
      api<{ enrolment: EnrolmentDetailDto }>(
        'POST',
        `${tenantBase(slug)}/enrolments/${encodeURIComponent(id)}/withdraw`,
        change
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['enrolments', slug] })
      void client.invalidateQueries({ queryKey: ['enrolment', slug, id] })
    },
  })
}

/** Renews a selection of enrolments for the next school year; the answer says what became of each. */
export function useRenewEnrolments(slug: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (ids: number[]) =>
      api<{ results: RenewResultDto[] }>('POST', `${tenantBase(slug)}/enrolments/renew`, { enrolment_ids: ids }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['enrolments', slug] }),
  })
}

export interface PeopleAnswer {
  people: PersonDto[]
  meta: { currentPage: number; lastPage: number; total: number }
}

/** The register of people, fifty a page; a codice fiscale finds one. */
export function usePeople(slug: string, filters: { kind?: string; fiscal_code?: string }, page: number) {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value)
  params.set('page', String(page))
  return useQuery({
    queryKey: ['people', slug, params.toString()],
    queryFn: () => api<PeopleAnswer>('GET', `${tenantBase(slug)}/people?${params.toString()}`),
    placeholderData: keepPreviousData,
    retry: false,
  })
}

export function usePerson(slug: string, id: string) {
  return useQuery({
    queryKey: ['person', slug, id],
    queryFn: async () =>
      (await api<{ person: PersonDetailDto }>('GET', `${tenantBase(slug)}/people/${encodeURIComponent(id)}`)).person,
    retry: false,
  })
}

/** Adds, changes, links and deletes people; the lists and the person are read again after. */
export function usePersonChange(slug: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (change: { method: 'POST' | 'PATCH' | 'DELETE'; path: string; body?: unknown }) =>
      api<{ person?: PersonDetailDto }>(change.method, `${tenantBase(slug)}/people${change.path}`, change.body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['people', slug] })
      void client.invalidateQueries({ queryKey: ['person', slug] })
    },
  })
}

export interface AuditFilters {
  actor?: string
  entity?: string
  entity_id?: string
  action?: string
  from?: string
  to?: string
}

/** The tenant's audit trail under the filters, one page per cursor (tenant admins). */
export function useAudit(slug: string, filters: AuditFilters, after: string | null) {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value)
  if (after) params.set('after', after)
  const query = params.toString()
  return useQuery({
    queryKey: ['audit', slug, query],
    queryFn: () => api<AuditAnswerDto>('GET', `${tenantBase(slug)}/audit${query ? `?${query}` : ''}`),
    placeholderData: keepPreviousData,
  })
}

/** Changes blocks of the tenant's settings (JSON Merge Patch: what is named changes, `null` deletes). */
export function useUpdateSettings(slug: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (settings: Record<string, unknown>) => api<unknown>('PATCH', tenantBase(slug), { settings }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.tenant(slug) })
      void client.invalidateQueries({ queryKey: keys.forms(slug) })
    },
  })
}
