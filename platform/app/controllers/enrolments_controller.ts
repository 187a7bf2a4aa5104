import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import { PAGE_SIZE, pageParam } from '#services/infrastructure/pagination'
import db from '@adonisjs/lucid/services/db'
import Enrolment, { ENROLMENT_STATUSES } from '#models/enrolment'
import RuleSet from '#models/rule_set'
import School from '#models/school'
import EnrolmentPolicy from '#policies/enrolment_policy'
import User from '#models/user'
import { parseFeeOverride } from '#validators/fee_override'
import { EXPORT_SLICE, exportFormat, refuseFormat, streamList } from '#reports/list_export'
import type { ReportColumn, ReportValue } from '#sdk/types'
import { findCurrentForm } from '#services/definitions/form_service'
import { writeAudit } from '#services/infrastructure/audit_service'
import { TARIFF_MISSING_TEXT } from '#services/enrolments/enrolment_service'
import { pluginRegistry } from '#plugins/registry'
import { askedLanguage, requestLanguage } from '#services/infrastructure/request_language'
import { ruleSetService } from '#services/definitions/ruleset_service'
import { getAt, isPlainObject } from '#forms/json_pointer'
import type { FormDefinition, Lang } from '#forms/types'
import type { EnrolmentDetailGroup } from '#sdk/types'
import type { RenewResultDto } from '#shared/contract'
import { documentAlerts } from '#services/documents/document_alerts'
import type { FormError } from '#forms/types'
import { forbiddenCharacter } from '#forms/field_rules'
import { RENEW_TEXT, enrolmentChanges, isDay, schoolYearRange } from '#services/enrolments/enrolment_changes'

/** Plain columns only: lists never decrypt ISEE, the service's details or the tariff's trace. */
const SUMMARY_COLUMNS = [
  'id',
  'tenant_id',
  'service',
  'form_key',
  'school_year',
  'submission_id',
  'applicant_user_id',
  'child_first_name',
  'child_last_name',
  'child_fiscal_code',
  'child_unborn',
  'child_birth_date',
  'school_id',
  'section',
  'tariff_amount',
  'tariff_ruleset',
  'tariff_version',
  'tariff_at',
  'tariff_missing_reason',
  'fee_override_amount',
  'fee_override_by',
  'fee_override_at',
  'status',
  'withdrawn_from',
  'renewed_from_id',
  'created_at',
  'updated_at',
]

const TEXT = {
  notFound: { it: 'Iscrizione non trovata.', en: 'Enrolment not found.' },
  notActive: {
    it: "Solo un'iscrizione attiva si può ritirare: questa è già ritirata o conclusa.",
    en: 'Only an active enrolment can be withdrawn: this one is already withdrawn or ended.',
  },
  withdrawFrom: (range: { first: string; last: string }) => ({
    it: `Indica il giorno da cui il bambino non frequenta più, nell'anno scolastico dell'iscrizione (dal ${italianDay(range.first)} al ${italianDay(range.last)}).`,
    en: `Give the day from which the child no longer attends, within the enrolment's school year (${range.first} to ${range.last}).`,
  }),
  withdrawReason: {
    it: 'Scrivi il motivo del ritiro (al massimo 2000 caratteri, senza caratteri di controllo).',
    en: 'Write the reason for the withdrawal (at most 2000 characters, no control characters).',
  },
  withdrawBody: { it: 'Il corpo deve essere { "from", "reason" }.', en: 'The body must be { "from", "reason" }.' },
  renewIds: {
    it: 'Il corpo deve essere { "enrolment_ids": [...] }, da 1 a 200 numeri di iscrizione diversi.',
    en: 'The body must be { "enrolment_ids": [...] }, 1 to 200 distinct enrolment numbers.',
  },
}

function italianDay(day: string) {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`
}

type Labels = (field: string, value: unknown) => string | null

/**
 * The label of an enumerated value as the form shows it (`x-i18n.<lang>.enum`),
 * so the portal names "primaria" or "medical" the way the citizen chose them.
 */
function labeller(definition: FormDefinition | null, lang: Lang): Labels {
  const properties = isPlainObject(definition?.schema.properties) ? definition.schema.properties : {}
  return (field, value) => {
    if (typeof value !== 'string') return null
    let prop = properties[field]
    const seen: unknown[] = []
    while (isPlainObject(prop) && !seen.includes(prop)) {
      seen.push(prop)
      const i18n = isPlainObject(prop['x-i18n']) ? prop['x-i18n'] : {}
      const own = isPlainObject(i18n[lang]) && isPlainObject(i18n[lang].enum) ? i18n[lang].enum : null
      const label = own ? own[value] : undefined
      if (typeof label === 'string') return label
      const ref = prop.$ref
      prop = typeof ref === 'string' && ref.startsWith('#/') ? getAt(definition!.schema, ref.slice(1)) : undefined
    }
    return null
  }
}

/** The current definition of each form key met, read once per request. */
async function definitions(keys: string[]) {
  const out = new Map<string, FormDefinition | null>()
  for (const key of new Set(keys)) out.set(key, (await findCurrentForm(key))?.definition ?? null)
  return out
}

function serviceName(id: string, lang: Lang) {
  const manifest = pluginRegistry().get(id)?.manifest
  return manifest ? (manifest.name[lang] ?? manifest.name.it) : id
}

/** School names by the code the form stored, from the tenant's catalog (a removed code keeps no name). */
async function schoolNames(codes: Array<string | null>): Promise<Map<string, string>> {
  const wanted = [...new Set(codes.filter((c): c is string => typeof c === 'string' && c.length > 0))]
  if (wanted.length === 0) return new Map()
  const rows = await School.query().whereIn('code', wanted).select('code', 'name')
  return new Map(rows.map((r) => [r.code, r.name]))
}

function summary(e: Enrolment, definition: FormDefinition | null, lang: Lang, schools: Map<string, string>) {
  return {
    id: e.id,
    service: e.service,
    serviceName: serviceName(e.service, lang),
    formKey: e.formKey,
    formTitle: definition ? (definition.title[lang] ?? definition.title.it) : e.formKey,
    schoolYear: e.schoolYear,
    submissionId: e.submissionId,
    applicantUserId: e.applicantUserId,
    status: e.status,
    withdrawnFrom: e.withdrawnFrom,
    renewedFromId: e.renewedFromId,
    child: {
      firstName: e.childFirstName,
      lastName: e.childLastName,
      fiscalCode: e.childFiscalCode,
      unborn: e.childUnborn,
      birthDate: e.childBirthDate,
    },
    school: {
      id: e.schoolId,
      name: e.schoolId ? (schools.get(e.schoolId) ?? null) : null,
      section: e.section,
    },
    tariff: {
      amount: e.tariffAmount,
      missingReason: e.tariffMissingReason,
      missingText: e.tariffMissingReason ? TARIFF_MISSING_TEXT[e.tariffMissingReason][lang] : null,
      // Set by hand by an operator: billing charges it in place of `amount` (the reason is in the detail).
      override: e.feeOverrideAmount ? { amount: e.feeOverrideAmount, at: e.feeOverrideAt?.toISO() ?? null } : null,
    },
    createdAt: e.createdAt.toISO(),
    updatedAt: e.updatedAt?.toISO() ?? null,
  }
}

const REGISTER_STATUS = {
  active: { it: 'Attiva', en: 'Active' },
  withdrawn: { it: 'Ritirata', en: 'Withdrawn' },
  ended: { it: 'Conclusa', en: 'Ended' },
} as const

/** The register's columns in a spreadsheet, in the reader's language. */
const REGISTER_COLUMNS: ReportColumn[] = [
  { key: 'id', label: { it: 'Numero', en: 'Number' }, type: 'integer' },
  { key: 'child', label: { it: 'Bambino', en: 'Child' }, type: 'text', width: 24 },
  { key: 'child_fiscal_code', label: { it: 'Codice fiscale', en: 'Codice fiscale' }, type: 'text', width: 20 },
  { key: 'birth_date', label: { it: 'Data di nascita', en: 'Birth date' }, type: 'date' },
  { key: 'service', label: { it: 'Servizio', en: 'Service' }, type: 'text', width: 24 },
  { key: 'school_year', label: { it: 'Anno scolastico', en: 'School year' }, type: 'text', width: 12 },
  { key: 'school', label: { it: 'Scuola', en: 'School' }, type: 'text' },
  { key: 'section', label: { it: 'Sezione', en: 'Section' }, type: 'text', width: 8 },
  { key: 'fee_computed', label: { it: 'Tariffa calcolata', en: 'Computed fee' }, type: 'money' },
  { key: 'fee_override', label: { it: 'Tariffa impostata a mano', en: 'Fee set by hand' }, type: 'money' },
  { key: 'fee_charged', label: { it: 'Tariffa applicata', en: 'Fee charged' }, type: 'money' },
  { key: 'status', label: { it: 'Stato', en: 'Status' }, type: 'text', width: 12 },
]

/**
 * The service's details as people read them: the plugin that owns the enrolment describes its
 * own `details` (label/value lines in the reader's language); the platform knows none of them.
 */
function describeDetails(e: Enrolment, definition: FormDefinition | null, lang: Lang): EnrolmentDetailGroup[] {
  const describe = pluginRegistry().get(e.service)?.manifest.enrolment?.describe
  if (!describe || !e.details) return []
  const label = labeller(definition, lang)
  const day = (value: unknown) => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null
    const date = DateTime.fromISO(value, { locale: lang === 'en' ? 'en-GB' : 'it-IT' })
    return date.isValid ? date.toFormat('d LLLL yyyy') : null
  }
  return describe(e.details, { lang, enumLabel: label, day })
}

export default class EnrolmentsController {
  /**
   * A citizen lists the enrolments of the children they applied for; operators and tenant admins
   * every enrolment of the tenant. `?service=&school_year=&status=&page=` narrow the list.
   */
  async index({ access, auth, bouncer, request }: HttpContext) {
    const user = auth.getUserOrFail()
    const lang = requestLanguage(request)
    const page = pageParam(request)
    const query = Enrolment.query().select(SUMMARY_COLUMNS).orderBy('school_year', 'desc').orderBy('id', 'desc')
    const staff = await bouncer.with(EnrolmentPolicy).allows('viewAll', access)
    if (!staff) query.where('applicant_user_id', user.id)
    const service = request.input('service')
    if (typeof service === 'string' && service) query.where('service', service)
    const year = request.input('school_year')
    if (typeof year === 'string' && year) query.where('school_year', year)
    const status = request.input('status')
    if ((ENROLMENT_STATUSES as readonly unknown[]).includes(status)) query.where('status', status)
    const result = await query.paginate(page, PAGE_SIZE)
    const rows = result.all()
    const defs = await definitions(rows.map((r) => r.formKey))
    const schools = await schoolNames(rows.map((r) => r.schoolId))
    // The register flags the child's documents to renew (staff only: families see no documents).
    const alerts = staff ? await documentAlerts(rows.map((r) => r.childFiscalCode)) : null
    return {
      enrolments: rows.map((r) => ({
        ...summary(r, defs.get(r.formKey) ?? null, lang, schools),
        ...(alerts ? { documents: (r.childFiscalCode && alerts.get(r.childFiscalCode)) || null } : {}),
      })),
      meta: result.getMeta(),
    }
  }

  /**
   * One enrolment with what Allegato C shows the family: declared ISEE, the service's details as
   * its plugin describes them, the tariff with its unit and its plain summary in the reader's
   * language (band, reasons, amount); staff also get the rules engine's whole trace. Someone
   * else's enrolment answers 404, like a missing one.
   *
   * Staff reading a family's enrolment leave an audit row ("read", with the encrypted fields they
   * saw): ISEE, the details (health, religion) and the trace (disability, foster care) are the data
   * the law protects most, so who looked at them is on record. A family reading its own enrolment is not recorded.
   */
  async show(ctx: HttpContext) {
    const { auth, bouncer, access, params, request, response } = ctx
    const lang = requestLanguage(request)
    const user = auth.getUserOrFail()
    const eid = String(params.eid)
    const row = /^\d{1,9}$/.test(eid) ? await Enrolment.find(Number(eid)) : null
    if (!row || (await bouncer.with(EnrolmentPolicy).denies('view', access, row))) {
      return response.notFound({ errors: [{ message: TEXT.notFound[lang] }] })
    }
    if (row.applicantUserId !== user.id) {
      await writeAudit(db.connection(), {
        tenantId: row.tenantId,
        action: 'read',
        entity: 'enrolments',
        entityId: String(row.id),
        after: { fields: ['isee', 'details', 'tariff_result', 'tariff_facts', 'tariff_trace'] },
      })
    }
    const definition = (await definitions([row.formKey])).get(row.formKey) ?? null
    const ruleset = row.tariffRuleset ? await RuleSet.query().where('key', row.tariffRuleset).first() : null
    const base = summary(row, definition, lang, await schoolNames([row.schoolId]))
    // The family reads the summary; the operator's trace (every table cell and rounding) is for staff.
    const staff = await bouncer.with(EnrolmentPolicy).allows('viewAll', access)
    const explained =
      row.tariffRuleset && row.tariffVersion !== null && row.tariffResult
        ? await ruleSetService.summariseStored(
            row.tariffRuleset,
            row.tariffVersion,
            { facts: row.tariffFacts, result: row.tariffResult, trace: row.tariffTrace ?? [] },
            lang
          )
        : null
    return {
      enrolment: {
        ...base,
        isee: row.isee,
        details: row.details,
        detailGroups: describeDetails(row, definition, lang),
        withdrawal:
          staff && row.status === 'withdrawn'
            ? {
                from: row.withdrawnFrom,
                reason: row.withdrawalReason,
                byName: row.withdrawnBy ? ((await User.find(row.withdrawnBy))?.fullName ?? null) : null,
              }
            : null,
        tariff: {
          ...base.tariff,
          // Staff read why and by whom the fee was set by hand.
          override:
            staff && row.feeOverrideAmount
              ? {
                  amount: row.feeOverrideAmount,
                  at: row.feeOverrideAt?.toISO() ?? null,
                  reason: row.feeOverrideReason,
                  byName: row.feeOverrideBy ? ((await User.find(row.feeOverrideBy))?.fullName ?? null) : null,
                }
              : base.tariff.override,
          title: ruleset ? (ruleset.title[lang] ?? ruleset.title.it ?? null) : null,
          ruleset: row.tariffRuleset,
          version: row.tariffVersion,
          at: row.tariffAt,
          result: row.tariffResult,
          unit: explained?.summary.unit ?? null,
          summary: explained?.summary ?? null,
          // The explanation in the reader's language: the engine writes Italian and English.
          trace: staff
            ? (row.tariffTrace ?? []).map((t) => ({
                step: t.step,
                kind: t.kind,
                message: lang === 'en' ? (t.message_en ?? t.message) : t.message,
                source: t.source ?? null,
                value: t.value ?? null,
              }))
            : [],
        },
      },
    }
  }

  /**
   * `GET /enrolments/export?format=xlsx|csv&service=&school_year=&status=`: the register as the
   * offices see it, every row the filters match, streamed in slices: the child, the service and
   * school, the computed fee, the fee set by hand and the one charged.
   */
  async export(ctx: HttpContext) {
    const { bouncer, access, request } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('viewAll', access)
    // A download link cannot set headers: `?lang=` says the portal's language.
    const lang = askedLanguage(request) ?? requestLanguage(request)
    const format = exportFormat(request.input('format'))
    if (!format) return refuseFormat(ctx, lang)
    const service = request.input('service')
    const year = request.input('school_year')
    const status = request.input('status')
    async function* rows(): AsyncGenerator<Record<string, ReportValue>> {
      let after: number | null = null
      for (;;) {
        const query = Enrolment.query().select(SUMMARY_COLUMNS).orderBy('id', 'desc').limit(EXPORT_SLICE)
        if (typeof service === 'string' && service) query.where('service', service)
        if (typeof year === 'string' && year) query.where('school_year', year)
        if ((ENROLMENT_STATUSES as readonly unknown[]).includes(status)) query.where('status', status)
        if (after !== null) query.where('id', '<', after)
        const batch = await query
        if (batch.length === 0) return
        const schools = await schoolNames(batch.map((r) => r.schoolId))
        for (const e of batch) {
          yield {
            id: e.id,
            child: [e.childFirstName, e.childLastName].filter(Boolean).join(' ') || null,
            child_fiscal_code: e.childFiscalCode,
            birth_date: e.childBirthDate,
            service: serviceName(e.service, lang),
            school_year: e.schoolYear,
            school: e.schoolId ? (schools.get(e.schoolId) ?? e.schoolId) : null,
            section: e.section,
            fee_computed: e.tariffAmount,
            fee_override: e.feeOverrideAmount,
            fee_charged: e.feeOverrideAmount ?? e.tariffAmount,
            status: REGISTER_STATUS[e.status][lang],
          }
        }
        after = batch[batch.length - 1].id
      }
    }
    streamList(ctx, {
      format,
      name: lang === 'it' ? 'iscritti' : 'enrolments',
      title: lang === 'it' ? 'Registro degli iscritti' : 'Register of enrolled children',
      columns: REGISTER_COLUMNS,
      lang,
      rows: rows(),
    })
  }

  /**
   * `PUT /enrolments/:eid/fee` `{ amount, reason }`: the operator sets the fee by hand (Allegato A:
   * "possibilità di sovrascriverla manualmente"), or gives it back to the computation with
   * `amount: null`; a reason is required either way. The computed fee and its trace stay; the
   * audit log keeps who, when, the amounts before and after, and the reason.
   */
  async overrideFee(ctx: HttpContext) {
    const { auth, bouncer, access, params, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const body = parseFeeOverride(request.body(), lang)
    if (!body.ok) return response.unprocessableEntity({ errors: body.errors })
    const eid = String(params.eid)
    const row = /^\d{1,9}$/.test(eid) ? await Enrolment.find(Number(eid)) : null
    if (!row) return response.notFound({ errors: [{ message: TEXT.notFound[lang] }] })
    row.feeOverrideAmount = body.value.amount
    row.feeOverrideReason = body.value.reason
    row.feeOverrideBy = auth.getUserOrFail().id
    row.feeOverrideAt = DateTime.now()
    await row.save()
    return this.show(ctx)
  }

  /**
   * `POST /enrolments/:eid/withdraw` `{ from, reason }`: the child stops from a day of the
   * enrolment's school year (billing charges the months begun before it); audited with the reason.
   */
  async withdraw(ctx: HttpContext) {
    const { auth, bouncer, access, params, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const eid = String(params.eid)
    const row = /^\d{1,9}$/.test(eid) ? await Enrolment.find(Number(eid)) : null
    if (!row) return response.notFound({ errors: [{ message: TEXT.notFound[lang] }] })
    const body = parseWithdrawal(request.body(), schoolYearRange(row.schoolYear), lang)
    if (!body.ok) return response.unprocessableEntity({ errors: body.errors })
    if (row.status !== 'active') {
      return response.conflict({
        errors: [{ path: '/status', rule: 'withdraw:not_active', message: TEXT.notActive[lang] }],
      })
    }
    await enrolmentChanges.withdraw(row, body.value.from, body.value.reason, auth.getUserOrFail().id)
    return this.show(ctx)
  }

  /**
   * `POST /enrolments/renew` `{ enrolment_ids }` (1 to 200): each enrolment renewed for the next
   * school year when its school cycle goes on (enrolment_changes.ts), each in its own transaction;
   * the answer says, per enrolment, what became of it and why.
   */
  async renew(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const ids = parseIds(request.body(), MAX_RENEW)
    if (!ids) {
      return response.unprocessableEntity({
        errors: [{ path: '/enrolment_ids', rule: 'request:enrolment_ids', message: TEXT.renewIds[lang] }],
      })
    }
    const results: RenewResultDto[] = []
    for (const id of ids) {
      const outcome = await enrolmentChanges.renew(id)
      results.push({ ...outcome, message: outcome.outcome === 'renewed' ? null : RENEW_TEXT[outcome.outcome][lang] })
    }
    return { results }
  }
}

const MAX_RENEW = 200

function parseIds(body: unknown, max: number): number[] | null {
  if (!isPlainObject(body) || Object.keys(body).some((k) => k !== 'enrolment_ids')) return null
  const ids = body.enrolment_ids
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > max) return null
  if (!ids.every((id) => Number.isInteger(id) && id > 0 && id < 1e9)) return null
  return new Set(ids).size === ids.length ? (ids as number[]) : null
}

function parseWithdrawal(
  body: unknown,
  range: { first: string; last: string },
  lang: Lang
): { ok: true; value: { from: string; reason: string } } | { ok: false; errors: FormError[] } {
  const errors: FormError[] = []
  const input = isPlainObject(body) ? body : {}
  const from = input.from
  if (!isDay(from) || from < range.first || from > range.last) {
    errors.push({ path: '/from', rule: 'request:from', message: TEXT.withdrawFrom(range)[lang] })
  }
  const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
  if (!reason || reason.length > 2000 || forbiddenCharacter(reason, true)) {
    errors.push({ path: '/reason', rule: 'request:reason', message: TEXT.withdrawReason[lang] })
  }
  if (!isPlainObject(body) || Object.keys(body).some((k) => k !== 'from' && k !== 'reason')) {
    errors.push({ path: '', rule: 'request:body', message: TEXT.withdrawBody[lang] })
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: { from: from as string, reason } }
}
