/**
 * Server state, through TanStack Query: one key per resource, answers cached and shared between
 * pages, refetched after the mutations that change them. Answers whose words depend on the
 * language (labels, fee summaries, messages) carry the language in their key.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import type {
  EnrolmentDetailDto,
  EnrolmentSummaryDto,
  EnrolmentWindowDto,
  EvaluationDto,
  FormSummaryDto,
  Lang,
  MeDto,
  SubmissionAnswer,
  SubmissionDetailDto,
  SubmissionSummaryDto,
  TenantDto,
} from '#shared/contract'
import type { FormDefinition } from '#forms/types'
import type { ApplicantFacts } from '#shared/applicant_facts'
import { api, ApiRequestError, tenantBase } from './client'
import {
  forgetSession,
  isDeviceCopy,
  keptMe,
  keptTenant,
  rememberMe,
  rememberTenant,
  unreachable,
} from './device_session'
import { italianToday } from '../app/italian_day'

export const keys = {
  me: ['me'] as const,
  tenant: (slug: string) => ['tenant', slug] as const,
  forms: (slug: string) => ['forms', slug] as const,
  form: (slug: string, key: string) => ['form', slug, key] as const,
  submissions: (slug: string) => ['submissions', slug] as const,
  submission: (slug: string, id: number | string) => ['submission', slug, String(id)] as const,
  enrolments: (slug: string, lang: Lang) => ['enrolments', slug, lang] as const,
  enrolment: (slug: string, id: string, lang: Lang) => ['enrolment', slug, id, lang] as const,
  fee: (slug: string, ruleset: string, facts: string, lang: Lang) => ['fee', slug, ruleset, facts, lang] as const,
  catalogLists: (slug: string) => ['catalog-lists', slug] as const,
}

/**
 * The sources the tenant's catalog keeps as lists (each declared by a service's plugin): a form
 * field naming one becomes a select of its entries. Read once per tenant: they change with a deploy.
 */
export function useCatalogLists(slug: string) {
  return useQuery({
    queryKey: keys.catalogLists(slug),
    staleTime: Infinity,
    queryFn: async (): Promise<ReadonlySet<string>> => {
      const answer = await api<{ sources: Array<{ source: string; kind: string }> }>(
        'GET',
        `${tenantBase(slug)}/catalog/sources`
      )
      return new Set(answer.sources.filter((s) => s.kind === 'entries').map((s) => s.source))
    },
  })
}

/**
 * Who is logged in: `null` when nobody is (401), so the portal shows the login page. Without a
 * network, a school staff user's last known session kept on the device (device_session.ts) opens
 * the pages; it is asked again of the server as soon as the network returns, and a session the
 * server no longer knows leads to the login page.
 */
export function useMe() {
  return useQuery({
    queryKey: keys.me,
    // Asked even when the browser says it is offline: the answer then comes from the device.
    networkMode: 'always',
    queryFn: async (): Promise<MeDto | null> => {
      try {
        const me = (await api<{ user: MeDto }>('GET', '/auth/me')).user
        void rememberMe(me)
        return me
      } catch (error) {
        if (error instanceof ApiRequestError && (error.status === 401 || error.status === 403)) {
          void forgetSession()
          return null
        }
        if (unreachable(error)) {
          const kept = await keptMe()
          if (kept) return kept
        }
        throw error
      }
    },
    // The server's answer holds until login or logout; a copy from the device only until the network returns.
    staleTime: (query) => (isDeviceCopy(query.state.data) ? 0 : Number.POSITIVE_INFINITY),
  })
}

/**
 * Nothing cached for one user may be shown to the next. `me` stays in the cache (its observers
 * keep following it) and is overwritten at once.
 */
function forgetAllButMe(client: ReturnType<typeof useQueryClient>) {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] })
}

/** The bodies whose staff log in from their directory (the login page's "network account"). */
export function useDirectories() {
  return useQuery({
    queryKey: ['auth-directories'] as const,
    queryFn: () => api<{ directories: Array<{ slug: string; name: string }> }>('GET', '/auth/directories'),
    select: (answer) => answer.directories,
    staleTime: 5 * 60_000,
  })
}

export function useLogin() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (
      credentials:
        { email: string; password: string } | { provider: 'ldap'; tenant: string; username: string; password: string }
    ) => api<{ user: MeDto }>('POST', '/auth/login', credentials),
    onSuccess: (answer) => {
      forgetAllButMe(client)
      client.setQueryData(keys.me, answer.user)
      void rememberMe(answer.user)
    },
  })
}

export function useLogout() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async () => {
      // The call leaves at once (a page that moves on right after still ends the session on the server);
      // the device forgets its copy beside it, network or not.
      await Promise.all([api('POST', '/auth/logout').catch(() => undefined), forgetSession()])
    },
    onSettled: () => {
      forgetAllButMe(client)
      client.setQueryData(keys.me, null)
    },
  })
}

/** The tenant's name and identity (logo, privacy, accessibility, contacts) for header and footer. */
export function useTenant(slug: string | undefined) {
  return useQuery({
    queryKey: keys.tenant(slug ?? ''),
    networkMode: 'always',
    queryFn: async () => {
      try {
        const tenant = await api<TenantDto>('GET', tenantBase(slug!))
        void rememberTenant(slug!, tenant)
        return tenant
      } catch (error) {
        // Without a network, the copy kept beside the device's session (see useMe).
        const kept = unreachable(error) ? await keptTenant(slug!) : null
        if (kept) return kept
        throw error
      }
    },
    enabled: Boolean(slug),
    staleTime: (query) => (isDeviceCopy(query.state.data) ? 0 : 5 * 60_000),
  })
}

export function useForms(slug: string) {
  return useQuery({
    queryKey: keys.forms(slug),
    queryFn: async () => (await api<{ forms: FormSummaryDto[] }>('GET', `${tenantBase(slug)}/forms`)).forms,
    staleTime: 60_000,
  })
}

export interface FormAnswer {
  form: { definition: FormDefinition; enrolment?: EnrolmentWindowDto }
}

export function useFormDefinition(slug: string, key: string) {
  return useQuery({
    queryKey: keys.form(slug, key),
    queryFn: () => api<FormAnswer>('GET', `${tenantBase(slug)}/forms/${encodeURIComponent(key)}`),
    staleTime: 60_000,
  })
}

/**
 * The facts about the applicant the form's BLOCCO rules read (their overdue debt, whether the
 * tenant refuses on it): the reader's own, or at the counter the citizen's filed for. Null when the
 * form reads none; while it loads, or if it fails, the rules run without it (the server decides).
 */
export function useApplicantFacts(slug: string, key: string, applicantId: number | undefined, lang: Lang) {
  return useQuery({
    queryKey: ['applicant-facts', slug, key, applicantId ?? 'me', lang] as const,
    queryFn: async () =>
      (
        await api<{ facts: ApplicantFacts | null }>(
          'GET',
          `${tenantBase(slug)}/forms/${encodeURIComponent(key)}/facts${applicantId ? `?applicant=${applicantId}` : ''}`
        )
      ).facts,
    staleTime: 30_000,
  })
}

export function useSubmissions(slug: string) {
  return useQuery({
    queryKey: keys.submissions(slug),
    queryFn: async () =>
      (await api<{ submissions: SubmissionSummaryDto[] }>('GET', `${tenantBase(slug)}/submissions`)).submissions,
  })
}

/** How often and how long a fresh receipt asks for its protocol number. */
export const POLL_INTERVAL_MS = 1500
export const POLL_TIMEOUT_MS = 60000

const awaitingProtocol = (s: SubmissionDetailDto | undefined) => s?.status === 'submitted' && !s.protocolNumber

/**
 * One submission. A sent one is registered in the protocol by a background job a moment after
 * the answer: while it is `submitted` without a number, it is read again every POLL_INTERVAL_MS
 * for at most POLL_TIMEOUT_MS from when the page showed it (`gaveUp` then says so).
 */
export function useSubmission(slug: string, id: string | number | undefined) {
  const opened = useRef(Date.now())
  const [gaveUp, setGaveUp] = useState(false)
  const query = useQuery({
    queryKey: keys.submission(slug, id ?? ''),
    queryFn: async () =>
      (await api<{ submission: SubmissionDetailDto }>('GET', `${tenantBase(slug)}/submissions/${id}`)).submission,
    enabled: id !== undefined && id !== '',
    refetchInterval: (q) =>
      awaitingProtocol(q.state.data) && Date.now() - opened.current < POLL_TIMEOUT_MS ? POLL_INTERVAL_MS : false,
  })
  const pending = awaitingProtocol(query.data)
  useEffect(() => {
    opened.current = Date.now()
    setGaveUp(false)
  }, [slug, id])
  useEffect(() => {
    if (!pending) return
    const timer = setTimeout(() => setGaveUp(true), Math.max(0, POLL_TIMEOUT_MS - (Date.now() - opened.current)))
    return () => clearTimeout(timer)
  }, [pending])
  return { ...query, awaitingProtocol: pending && !gaveUp, gaveUp: pending && gaveUp }
}

type SaveInput = {
  mode: 'draft' | 'submit'
  formKey: string
  id: number | null
  data: Record<string, unknown>
  /** At the counter (procura): the citizen the operator files for, on a new application. */
  applicantUserId?: number
}

/** Saves a draft or sends a submission (new or existing); the lists and the submission are refreshed. */
export function useSaveSubmission(slug: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ mode, formKey, id, data, applicantUserId }: SaveInput) => {
      const base = tenantBase(slug)
      const created = applicantUserId === undefined ? { data } : { data, applicant_user_id: applicantUserId }
      if (mode === 'draft') {
        return id
          ? api<SubmissionAnswer>('PUT', `${base}/submissions/${id}`, { data })
          : api<SubmissionAnswer>('POST', `${base}/forms/${encodeURIComponent(formKey)}/submissions`, created)
      }
      return id
        ? api<SubmissionAnswer>('POST', `${base}/submissions/${id}/submit`, { data })
        : api<SubmissionAnswer>('POST', `${base}/forms/${encodeURIComponent(formKey)}/submit`, created)
    },
    onSuccess: (answer) => {
      client.setQueryData(keys.submission(slug, answer.submission.id), answer.submission)
      void client.invalidateQueries({ queryKey: keys.submissions(slug) })
      // An accepted application may enrol a child: the enrolments are read again when shown.
      void client.invalidateQueries({ queryKey: ['enrolments', slug] })
    },
  })
}

/**
 * While the answer in the new language arrives, the one in the previous language stays on screen;
 * never another resource's (another child, another tenant), which would show the wrong data.
 * `key` is the query key without its last element, the language.
 */
function previousLanguageOf(key: readonly unknown[]) {
  return <T>(previous: T | undefined, query: { queryKey: readonly unknown[] } | undefined) =>
    query && JSON.stringify(query.queryKey.slice(0, -1)) === JSON.stringify(key) ? previous : undefined
}

export function useEnrolments(slug: string, lang: Lang) {
  return useQuery({
    queryKey: keys.enrolments(slug, lang),
    queryFn: async () =>
      (await api<{ enrolments: EnrolmentSummaryDto[] }>('GET', `${tenantBase(slug)}/enrolments`)).enrolments,
    placeholderData: previousLanguageOf(['enrolments', slug]),
  })
}

/**
 * Which of `services` the user has an active enrolment in (the navigation shows a service's family
 * page only to its families); null while unknown. Under the enrolments' key: an acceptance reads it again.
 */
export function useEnrolledServices(slug: string, services: readonly string[]): ReadonlySet<string> | null {
  const answer = useQuery({
    queryKey: ['enrolments', slug, 'active-in', services.join(',')],
    enabled: services.length > 0,
    queryFn: async () => {
      const found = await Promise.all(
        services.map(async (service) => {
          const query = `service=${encodeURIComponent(service)}&status=active`
          const { enrolments } = await api<{ enrolments: EnrolmentSummaryDto[] }>(
            'GET',
            `${tenantBase(slug)}/enrolments?${query}`
          )
          return enrolments.length > 0 ? [service] : []
        })
      )
      return found.flat()
    },
  })
  return answer.data ? new Set(answer.data) : null
}

export function useEnrolment(slug: string, id: string, lang: Lang) {
  return useQuery({
    queryKey: keys.enrolment(slug, id, lang),
    queryFn: async () =>
      (await api<{ enrolment: EnrolmentDetailDto }>('GET', `${tenantBase(slug)}/enrolments/${encodeURIComponent(id)}`))
        .enrolment,
    placeholderData: previousLanguageOf(['enrolment', slug, id]),
    retry: (count, error) => !(error instanceof ApiRequestError && error.status === 404) && count < 2,
  })
}

/** A value that follows `value` once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return settled
}

/**
 * The live fee of a form being filled: the rule set evaluated today on the facts the form maps
 * from its data, once the citizen pauses (not on every keystroke). The previous fee stays on
 * screen while the next one is computed.
 */
export function useFee(slug: string, facts: { ruleset: string; facts: Record<string, unknown> } | null, lang: Lang) {
  const factsKey = useDebounced(facts ? JSON.stringify(facts.facts) : '', 400)
  const ruleset = facts?.ruleset ?? ''
  return useQuery({
    queryKey: keys.fee(slug, ruleset, factsKey, lang),
    queryFn: () =>
      api<EvaluationDto>('POST', `${tenantBase(slug)}/rulesets/${encodeURIComponent(ruleset)}/evaluate`, {
        at: italianToday(),
        facts: JSON.parse(factsKey),
      }),
    enabled: Boolean(facts) && factsKey !== '',
    // The previous fee of the same rule set stays while the next is computed (other facts, other language).
    placeholderData: (previous, query) =>
      query && query.queryKey[1] === slug && query.queryKey[2] === ruleset ? previous : undefined,
    retry: false,
    staleTime: 5 * 60_000,
  })
}
