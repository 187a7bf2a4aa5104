import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Submission from '#models/submission'
import Form from '#models/form'
import User from '#models/user'
import type Tenant from '#models/tenant'
import FormVersion from '#models/form_version'
import SubmissionPolicy from '#policies/submission_policy'
import { pluginService } from '#services/tenants/plugin_service'
import { askedLanguage, requestLanguage } from '#services/infrastructure/request_language'
import { childInData } from '#services/submissions/child_identity'
import { MAX_QUERY_LENGTH, whereMatches } from '#services/submissions/submission_search'
import { planDays, sendingRange } from '#services/submissions/inbox_day_counts'
import { isPlainObject } from '#forms/json_pointer'
import { MESSAGES, t, texts } from '#i18n/catalogue'
import { EXPORT_SLICE, exportFormat, refuseFormat, streamList } from '#reports/list_export'
import { submissionStatusLabel } from '#shared/status_labels'
import type { ReportColumn, ReportValue } from '#sdk/types'
import type { FormDefinition, Lang } from '#forms/types'
import {
  INBOX_SORTS,
  INBOX_STATUSES,
  type InboxAnswerDto,
  type InboxPersonDto,
  type InboxRowDto,
  type InboxSort,
  type InboxStatus,
  type Localized,
  type SubmissionFormDto,
} from '#shared/contract'

export const INBOX_PAGE_SIZE = 25
const DAY = /^\d{4}-\d{2}-\d{2}$/
const SCHOOL_YEAR = /^(\d{4})\/(\d{4})$/
const CURSOR = /^\d{1,9}$/

type Problem = { path: string; rule: string; message: Localized }

export interface InboxFilters {
  status: InboxStatus | null
  form: string | null
  service: string | null
  school: string | null
  from: string | null
  to: string | null
  schoolYear: string | null
  q: string | null
  sort: InboxSort
  after: number | null
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}

/** Reads the query string; every problem is named at its parameter. */
export function parseInboxQuery(input: Record<string, unknown>): { filters: InboxFilters; problems: Problem[] } {
  const problems: Problem[] = []
  const status = text(input.status)
  const sort = text(input.sort) ?? 'newest'
  const from = text(input.from)
  const to = text(input.to)
  const schoolYear = text(input.school_year)
  const q = typeof input.q === 'string' ? input.q.trim() : null
  const after = text(input.after)
  const form = text(input.form)
  const service = text(input.service)
  const school = text(input.school)
  if (status && !(INBOX_STATUSES as readonly string[]).includes(status)) {
    problems.push({
      path: '/status',
      rule: 'query:status',
      message: texts('inbox.query.status', { values: INBOX_STATUSES.join(', ') }),
    })
  }
  if (!(INBOX_SORTS as readonly string[]).includes(sort))
    problems.push({
      path: '/sort',
      rule: 'query:sort',
      message: texts('inbox.query.sort', { values: INBOX_SORTS.join(', ') }),
    })
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value && (!DAY.test(value) || !DateTime.fromISO(value).isValid)) {
      problems.push({ path: `/${name}`, rule: 'query:date', message: texts('inbox.query.day', { name }) })
    }
  }
  if (from && to && DAY.test(from) && DAY.test(to) && from > to) {
    problems.push({ path: '/from', rule: 'query:range', message: texts('inbox.query.range') })
  }
  const year = schoolYear ? SCHOOL_YEAR.exec(schoolYear) : null
  if (schoolYear && (!year || Number(year[2]) !== Number(year[1]) + 1)) {
    problems.push({ path: '/school_year', rule: 'query:school_year', message: texts('inbox.query.schoolYear') })
  }
  if (q !== null && q.length > MAX_QUERY_LENGTH)
    problems.push({ path: '/q', rule: 'query:q', message: texts('inbox.query.q', { max: MAX_QUERY_LENGTH }) })
  if (after && !CURSOR.test(after))
    problems.push({ path: '/after', rule: 'query:after', message: texts('inbox.query.after') })
  for (const [name, value] of [
    ['form', form],
    ['service', service],
  ] as const) {
    if (value && (value.length > 100 || !/^[a-z0-9._-]+$/.test(value))) {
      problems.push({ path: `/${name}`, rule: 'query:form', message: texts('inbox.query.form') })
    }
  }
  if (school && (school.length > 64 || !/^[a-z0-9-]+$/.test(school))) {
    problems.push({ path: '/school', rule: 'query:school', message: texts('inbox.query.school') })
  }
  return {
    filters: {
      status: status as InboxStatus | null,
      form,
      service,
      school,
      from,
      to,
      schoolYear,
      q: q || null,
      sort: sort as InboxSort,
      after: after && CURSOR.test(after) ? Number(after) : null,
    },
    problems,
  }
}

/** A calendar day in Italy's time, as the column is written (Lucid formats dates in the server's zone). */
function moment(day: string, dialectFormat: string) {
  return DateTime.fromISO(day, { zone: 'Europe/Rome' }).toLocal().toFormat(dialectFormat)
}

const PAYER_FIELDS = ['payer', 'applicant', 'parent', 'requester']

/** The person who applies, as the form names them (else the account's name). */
function applicantOf(data: Record<string, unknown>, fallback: string | null): InboxPersonDto {
  for (const field of PAYER_FIELDS) {
    const person = data[field]
    if (!isPlainObject(person)) continue
    const name = [person.first_name, person.last_name].filter((p) => typeof p === 'string' && p).join(' ')
    if (name || typeof person.fiscal_code === 'string') {
      return { name: name || fallback, fiscalCode: typeof person.fiscal_code === 'string' ? person.fiscal_code : null }
    }
  }
  return { name: fallback, fiscalCode: null }
}

function childOf(data: Record<string, unknown>): InboxPersonDto | null {
  const child = childInData(data)
  return child ? { name: child.name, fiscalCode: child.key } : null
}

/** The submissions matching the filters (all statuses the inbox shows), and the forms they come from. */
async function inboxQuery(tenant: Tenant, filters: InboxFilters) {
  const enabled = await pluginService.enabledIds(tenant)
  const forms = enabled.length
    ? await Form.query().whereIn('service', enabled).select('id', 'key', 'service', 'title')
    : []
  const formsByKey = new Map(forms.map((f) => [f.key, f]))
  const keys = forms
    .filter((f) => (!filters.form || f.key === filters.form) && (!filters.service || f.service === filters.service))
    .map((f) => f.key)
  const format = Submission.query().client.dialect.dateTimeFormat

  /** Every filter but the dates. */
  const undated = () => {
    const query = Submission.query()
      .whereIn('form_key', keys)
      .whereIn('status', [...INBOX_STATUSES])
    if (filters.school) query.where('school_code', filters.school)
    if (filters.q) whereMatches(query, tenant.id, filters.q)
    return query
  }
  const filtered = () => {
    const query = undated()
    if (filters.from) query.where('submitted_at', '>=', moment(filters.from, format))
    if (filters.to) {
      query.where('submitted_at', '<', moment(DateTime.fromISO(filters.to).plus({ days: 1 }).toISODate()!, format))
    }
    if (filters.schoolYear) {
      // Applications for a school year are sent from 1 March to the end of February (enrolment_service.ts).
      const start = Number(filters.schoolYear.slice(0, 4))
      query.where('submitted_at', '>=', moment(`${start}-03-01`, format))
      query.where('submitted_at', '<', moment(`${start + 1}-03-01`, format))
    }
    return query
  }

  /**
   * The counts per status under the filters. Under form, service and school alone they are read
   * from the counters the database keeps with every status change (migration 0034), a handful of
   * rows; under dates or a school year, from the counters per day (migration 0037) with the parts
   * of days at the range's ends counted; under a search they are counted.
   */
  const counts = async () => {
    const out = Object.fromEntries(INBOX_STATUSES.map((s) => [s, 0])) as Record<InboxStatus, number>
    if (filters.q) {
      const rows = await filtered().select('status').count('* as total').groupBy('status')
      for (const row of rows) out[row.status as InboxStatus] = Number(row.$extras.total)
      return out
    }
    if (keys.length === 0) return out
    if (filters.from || filters.to || filters.schoolYear) {
      const postgres = Submission.query().client.dialect.name === 'postgres'
      const plan = planDays(sendingRange(filters), postgres ? null : (day) => moment(day, format))
      if (plan.empty) return out
      if (plan.days) {
        const query = db
          .from('submission_day_counts')
          .where('tenant_id', tenant.id)
          .whereIn('form_key', keys)
          .whereIn('status', [...INBOX_STATUSES])
        // '' is the day of an application never sent, which no range of days holds.
        if (plan.days.first) query.where('day', '>=', plan.days.first)
        else query.where('day', '!=', '')
        if (plan.days.end) query.where('day', '<', plan.days.end)
        if (filters.school) query.where('school_code', filters.school)
        const rows = await query.select('status').sum('total as total').groupBy('status')
        for (const row of rows) out[row.status as InboxStatus] += Number(row.total)
      }
      if (plan.edges.length > 0) {
        const edges = undated().where((q) => {
          for (const [from, to] of plan.edges) {
            q.orWhere((part) => part.where('submitted_at', '>=', from).where('submitted_at', '<', to))
          }
        })
        const rows = await edges.select('status').count('* as total').groupBy('status')
        for (const row of rows) out[row.status as InboxStatus] += Number(row.$extras.total)
      }
      return out
    }
    const query = db
      .from('submission_status_counts')
      .where('tenant_id', tenant.id)
      .whereIn('form_key', keys)
      .whereIn('status', [...INBOX_STATUSES])
    if (filters.school) query.where('school_code', filters.school)
    const rows = await query.select('status').sum('total as total').groupBy('status')
    for (const row of rows) out[row.status as InboxStatus] = Number(row.total)
    return out
  }

  return { filtered, formsByKey, counts }
}

/** A page's (or an export's) row: the people it names read from the decrypted data. */
function inboxRow(s: Submission, formsByKey: Map<string, Form>, names: Map<number, string>, lang: Lang): InboxRowDto {
  const form = formsByKey.get(s.formKey)
  const data = s.data ?? {}
  return {
    id: s.id,
    formKey: s.formKey,
    formTitle: form ? (form.title[lang] ?? form.title.it ?? s.formKey) : s.formKey,
    service: form?.service ?? '',
    status: s.status,
    protocolNumber: s.protocolNumber,
    submittedAt: s.submittedAt?.toISO() ?? null,
    updatedAt: s.updatedAt?.toISO() ?? null,
    onBehalf: s.onBehalf,
    applicant: applicantOf(data, names.get(s.applicantUserId) ?? null),
    child: childOf(data),
    hasWarnings: (s.warnings ?? []).length > 0,
  }
}

async function applicantNames(rows: Submission[]) {
  const ids = [...new Set(rows.map((r) => r.applicantUserId))]
  const users = ids.length ? await User.query().whereIn('id', ids).select('id', 'full_name') : []
  return new Map(users.map((u) => [u.id, u.fullName]))
}

/**
 * One page of the inbox under the filters, with the counts per status: what `GET /inbox` answers
 * (and what `npm run bench` times on 100k submissions).
 */
export async function inboxPage(tenant: Tenant, filters: InboxFilters, lang: Lang): Promise<InboxAnswerDto> {
  const query = await inboxQuery(tenant, filters)
  const { filtered, formsByKey } = query
  const counts = await query.counts()

  const page = filtered()
  if (filters.status) page.where('status', filters.status)
  if (filters.after !== null) page.where('id', filters.sort === 'newest' ? '<' : '>', filters.after)
  const rows = await page.orderBy('id', filters.sort === 'newest' ? 'desc' : 'asc').limit(INBOX_PAGE_SIZE + 1)
  const more = rows.length > INBOX_PAGE_SIZE
  const shown = rows.slice(0, INBOX_PAGE_SIZE)

  const names = await applicantNames(shown)
  const answer: InboxAnswerDto = {
    submissions: shown.map((row) => inboxRow(row, formsByKey, names, lang)),
    next: more ? String(shown[shown.length - 1].id) : null,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
  }
  return answer
}

/** The inbox's columns in a spreadsheet, in the reader's language. */
const INBOX_COLUMNS: ReportColumn[] = [
  { key: 'id', label: MESSAGES['inbox.column.id'], type: 'integer' },
  { key: 'status', label: MESSAGES['inbox.column.status'], type: 'text', width: 16 },
  { key: 'form', label: MESSAGES['inbox.column.form'], type: 'text' },
  { key: 'applicant', label: MESSAGES['inbox.column.applicant'], type: 'text', width: 24 },
  { key: 'applicant_fiscal_code', label: MESSAGES['inbox.column.applicantFiscalCode'], type: 'text', width: 20 },
  { key: 'child', label: MESSAGES['inbox.column.child'], type: 'text', width: 24 },
  { key: 'child_fiscal_code', label: MESSAGES['inbox.column.childFiscalCode'], type: 'text', width: 20 },
  { key: 'sent', label: MESSAGES['inbox.column.sent'], type: 'date' },
  { key: 'protocol', label: MESSAGES['inbox.column.protocol'], type: 'text', width: 18 },
  { key: 'on_behalf', label: MESSAGES['inbox.column.onBehalf'], type: 'boolean' },
]

export default class InboxController {
  /**
   * The back office's list of applications: filters (status, form or service, school, school year, dates
   * of sending, a name or codice fiscale), newest or oldest first, pages by the last number seen
   * (keyset: a page deep in the list costs what the first does), and how many there are in each
   * status under the other filters.
   */
  async index(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(SubmissionPolicy).authorize('viewAll', access)
    const lang = requestLanguage(request)
    const { filters, problems } = parseInboxQuery(request.qs())
    if (problems.length) {
      return response.unprocessableEntity({
        errors: problems.map((p) => ({ path: p.path, rule: p.rule, message: p.message[lang] })),
      })
    }
    return inboxPage(ctx.tenant, filters, lang)
  }

  /**
   * `GET /inbox/export?format=xlsx|csv&<the inbox's filters>`: every application the filters
   * match (not only a page), in the inbox's order, streamed in slices.
   */
  async export(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(SubmissionPolicy).authorize('viewAll', access)
    // A download link cannot set headers: `?lang=` says the portal's language.
    const lang = askedLanguage(request) ?? requestLanguage(request)
    const { format: rawFormat, ...query } = request.qs() as Record<string, unknown>
    const format = exportFormat(rawFormat)
    if (!format) return refuseFormat(ctx, lang)
    const { filters, problems } = parseInboxQuery({ ...query, after: undefined })
    if (problems.length) {
      return response.unprocessableEntity({
        errors: problems.map((p) => ({ path: p.path, rule: p.rule, message: p.message[lang] })),
      })
    }
    const { filtered, formsByKey } = await inboxQuery(ctx.tenant, filters)
    const newest = filters.sort === 'newest'
    async function* rows(): AsyncGenerator<Record<string, ReportValue>> {
      let after: number | null = null
      for (;;) {
        const slice = filtered()
        if (filters.status) slice.where('status', filters.status)
        if (after !== null) slice.where('id', newest ? '<' : '>', after)
        const batch = await slice.orderBy('id', newest ? 'desc' : 'asc').limit(EXPORT_SLICE)
        if (batch.length === 0) return
        const names = await applicantNames(batch)
        for (const submission of batch) {
          const row = inboxRow(submission, formsByKey, names, lang)
          yield {
            id: row.id,
            status: submissionStatusLabel(row.status, lang),
            form: row.formTitle,
            applicant: row.applicant.name,
            applicant_fiscal_code: row.applicant.fiscalCode,
            child: row.child?.name ?? null,
            child_fiscal_code: row.child?.fiscalCode ?? null,
            sent: submission.submittedAt?.setZone('Europe/Rome').toISODate() ?? null,
            protocol: row.protocolNumber,
            on_behalf: row.onBehalf,
          }
        }
        after = batch[batch.length - 1].id
      }
    }
    streamList(ctx, {
      format,
      name: t(lang, 'inbox.export.file'),
      title: t(lang, 'inbox.export.title'),
      columns: INBOX_COLUMNS,
      lang,
      rows: rows(),
    })
  }

  /** The form version a submission was made on: its labels are those the citizen read. */
  async form(ctx: HttpContext) {
    const { bouncer, access, params, request, response } = ctx
    await bouncer.with(SubmissionPolicy).authorize('viewAll', access)
    const lang = requestLanguage(request)
    const sid = String(params.sid)
    const row = /^\d{1,9}$/.test(sid)
      ? await Submission.query().where('id', Number(sid)).select('id', 'form_version_id', 'form_key').first()
      : null
    const version = row ? await FormVersion.find(row.formVersionId) : null
    if (!row || !version) return response.notFound({ errors: [{ message: t(lang, 'inbox.notFound') }] })
    const definition = version.definition as unknown as FormDefinition
    const answer: SubmissionFormDto = {
      formKey: row.formKey,
      title: definition.title,
      version: version.version,
      definition: {
        schema: definition.schema,
        uiSchema: definition.uiSchema as Record<string, unknown> | undefined,
        attachments: definition.attachments as Record<string, unknown> | undefined,
      },
    }
    return answer
  }
}
