import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { Dec } from '#rules/decimal'
import type { EvaluationResult } from '#rules/types'
import { tariffFacts } from '#forms/tariff_preview'
import { isPlainObject } from '#forms/json_pointer'
import { childKey, whereSameChild } from '#services/child_identity'
import type { FormDefinition, Lang } from '#forms/types'
import Enrolment, { type DeclaredIsee, type DietRequest, type TariffMissingReason } from '#models/enrolment'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import type Submission from '#models/submission'
import { emitDomainEvent } from '#events/domain_events'
import {
  FactsErrors,
  RuleSetNotFoundError,
  RuleSetRequestError,
  ruleSetService,
  todayInItaly,
} from '#services/ruleset_service'

/**
 * Enrolments come from accepted submissions: the transition to `accepted`
 * (submission_service.ts) calls `prepare` before its transaction and `apply`
 * inside it, so the submission's new status and its enrolment are committed
 * together or not at all.
 *
 * The tariff is computed in `prepare`, outside the transaction: the rules
 * engine reads the rule set through its own queries, and on SQLite (one
 * connection) a read outside an open write transaction would wait for it.
 * The data cannot change meanwhile: only a `protocolled` submission can be
 * accepted, and that status is not editable.
 *
 * Fields are read by the names of the shared definitions (forms/_shared:
 * `student` or `child`, `school_id` or `structure_id`, `isee_choice`,
 * `special_diet`...), not by form, so a new form built on them is covered.
 */

const TIME_ZONE = 'Europe/Rome'

/**
 * The school year a submission is for, as "2026/2027". A date of attendance
 * in the data (the weeks of nido estivo) decides when there is one: the
 * school year runs from 1 September to 31 August. Otherwise the date the
 * submission was sent decides: enrolment calls open in spring for the year
 * starting in September (Allegato A), so from 1 March on it is the coming
 * year; in January and February it is a late enrolment in the year under way.
 */
export function schoolYearOf(data: Record<string, unknown>, sentOn: string): string {
  const attendance = firstAttendanceDate(data)
  const [year, month] = (attendance ?? sentOn).split('-').map(Number)
  const firstMonth = attendance ? 9 : 3
  const start = month >= firstMonth ? year : year - 1
  return `${start}/${start + 1}`
}

function firstAttendanceDate(data: Record<string, unknown>): string | null {
  const weeks = data.weeks
  if (!Array.isArray(weeks)) return null
  const dates = weeks
    .map((w) => (isPlainObject(w) && typeof w.from === 'string' ? w.from : null))
    .filter((d): d is string => d !== null && /^\d{4}-\d{2}-\d{2}$/.test(d))
    .sort()
  return dates[0] ?? null
}

/**
 * The date the tariff is evaluated at: the start of the school year, or the
 * day of acceptance when that comes later (Allegato D: the fee applies to the
 * whole school year; a late application takes effect from when it is made).
 */
export function tariffDate(schoolYear: string, today: string): string {
  const start = `${schoolYear.slice(0, 4)}-09-01`
  return today > start ? today : start
}

const str = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null)

function childOf(data: Record<string, unknown>) {
  const child = isPlainObject(data.student) ? data.student : isPlainObject(data.child) ? data.child : {}
  const unborn = child.unborn === true
  return {
    childFirstName: str(child.first_name),
    childLastName: str(child.last_name),
    childFiscalCode: unborn ? null : childKey(child.fiscal_code),
    childUnborn: unborn,
    childBirthDate: unborn ? str(child.presumed_birth_date) : str(child.birth_date),
  }
}

function iseeOf(data: Record<string, unknown>): DeclaredIsee | null {
  if (!('isee_choice' in data)) return null
  const presented = data.isee_choice === 'declared'
  const raw = data.isee_value
  const value =
    presented && (typeof raw === 'number' || typeof raw === 'string') && raw !== ''
      ? new Dec(String(raw)).toFixed(2)
      : null
  return {
    presented,
    value,
    inpsProtocol: presented ? str(data.inps_protocol) : null,
    kind: presented ? str(data.isee_kind) : null,
  }
}

function dietOf(data: Record<string, unknown>): DietRequest | null {
  if (!('special_diet' in data)) return null
  const requested = data.special_diet === true
  return { requested, type: requested ? str(data.diet_type) : null, authorised: null }
}

/** What Allegato C lists for each service beyond child, school, ISEE, fee and diet. */
function detailsOf(data: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {}
  const copy = ['structure_preferences', 'attendance_time', 'weeks', 'days_per_week', 'transport_line']
  for (const key of [...copy, 'transport_stop', 'route', 'payment_plan']) {
    if (data[key] !== undefined && data[key] !== null) out[key] = data[key]
  }
  // In the accessory nursery forms `service` is the service the child attends (nido, edugate).
  if (typeof data.service === 'string') out.attended_service = data.service
  if (Array.isArray(data.authorised_pickup_persons)) {
    out.authorised_pickup_persons = data.authorised_pickup_persons
      .filter(isPlainObject)
      .map((p) => ({ first_name: p.first_name, last_name: p.last_name, relationship: p.relationship }))
  }
  return Object.keys(out).length ? out : null
}

type Tariff = Pick<
  Enrolment,
  | 'tariffAmount'
  | 'tariffRuleset'
  | 'tariffVersion'
  | 'tariffAt'
  | 'tariffResult'
  | 'tariffFacts'
  | 'tariffTrace'
  | 'tariffMissingReason'
>

function noTariff(reason: TariffMissingReason, ruleset: string | null, at: string | null, facts = null): Tariff {
  return {
    tariffAmount: null,
    tariffRuleset: ruleset,
    tariffVersion: null,
    tariffAt: at,
    tariffResult: null,
    tariffFacts: facts,
    tariffTrace: null,
    tariffMissingReason: reason,
  }
}

async function tariffOf(definition: FormDefinition, data: Record<string, unknown>, at: string): Promise<Tariff> {
  const mapped = tariffFacts(definition, data)
  if (!mapped) return noTariff('no_tariff_rule', null, null)
  let evaluation: EvaluationResult
  try {
    evaluation = (await ruleSetService.evaluate(mapped.ruleset, at, mapped.facts)) as EvaluationResult
  } catch (error) {
    if (error instanceof RuleSetNotFoundError) return noTariff('ruleset_missing', mapped.ruleset, at)
    if (error instanceof FactsErrors)
      return { ...noTariff('facts_invalid', mapped.ruleset, at), tariffFacts: mapped.facts }
    if (error instanceof RuleSetRequestError) return noTariff('no_version_in_force', mapped.ruleset, at)
    throw error
  }
  const amount = evaluation.result.amount
  return {
    tariffAmount: amount === null || amount === undefined ? null : String(amount),
    tariffRuleset: evaluation.ruleset,
    tariffVersion: evaluation.version,
    tariffAt: evaluation.at,
    tariffResult: evaluation.result,
    tariffFacts: mapped.facts,
    tariffTrace: evaluation.trace,
    tariffMissingReason: null,
  }
}

export type PreparedEnrolment = Pick<
  Enrolment,
  'service' | 'formKey' | 'schoolYear' | 'submissionId' | 'applicantUserId' | 'status'
> &
  ReturnType<typeof childOf> &
  Pick<Enrolment, 'schoolOrder' | 'schoolId' | 'classYear' | 'section' | 'details' | 'isee' | 'diet'> &
  Tariff

export const TARIFF_MISSING_TEXT: Record<TariffMissingReason, Record<Lang, string>> = {
  no_tariff_rule: {
    it: 'La retta di questo servizio è calcolata dagli uffici e sarà comunicata a parte.',
    en: 'The fee for this service is set by the offices and will be communicated separately.',
  },
  ruleset_missing: {
    it: 'Le regole per il calcolo della retta non sono configurate per questo ente: gli uffici assegneranno la retta.',
    en: 'The fee rules are not configured for this body: the offices will assign the fee.',
  },
  no_version_in_force: {
    it: "Nessuna tariffa è in vigore per la data dell'iscrizione: gli uffici assegneranno la retta.",
    en: 'No fee is in force on the date of the enrolment: the offices will assign the fee.',
  },
  facts_invalid: {
    it: 'I dati della domanda non bastano per calcolare la retta: gli uffici la verificheranno.',
    en: 'The data in the application is not enough to compute the fee: the offices will check it.',
  },
}

export class EnrolmentService {
  /** Reads the form the submission was made on and computes the tariff; writes nothing. */
  async prepare(submission: Submission): Promise<PreparedEnrolment> {
    const [version, form] = await Promise.all([
      FormVersion.query().where('id', submission.formVersionId).firstOrFail(),
      Form.query().where('id', submission.formId).firstOrFail(),
    ])
    const definition = version.definition as unknown as FormDefinition
    const data = submission.data ?? {}
    const sent = submission.submittedAt ?? submission.createdAt
    const sentOn = sent.setZone(TIME_ZONE).toISODate()!
    const schoolYear = schoolYearOf(data, sentOn)
    const today = todayInItaly()
    return {
      service: form.service,
      formKey: submission.formKey,
      schoolYear,
      submissionId: submission.id,
      applicantUserId: submission.applicantUserId,
      status: 'active',
      ...childOf(data),
      schoolOrder: str(data.school_order),
      schoolId: str(data.school_id) ?? str(data.structure_id),
      classYear: str(data.class_year),
      section: str(data.section),
      details: detailsOf(data),
      isee: iseeOf(data),
      diet: dietOf(data),
      ...(await tariffOf(definition, data, tariffDate(schoolYear, today))),
    }
  }

  /**
   * Creates the enrolment, or updates the one that already stands for the
   * same submission or, after a new submission, for the same child in the
   * same form and school year: accepting again never makes a second one.
   */
  async apply(trx: TransactionClientContract, prepared: PreparedEnrolment): Promise<Enrolment> {
    let row = await Enrolment.query({ client: trx }).where('submission_id', prepared.submissionId).first()
    if (!row && prepared.childFiscalCode) {
      row = await whereSameChild(Enrolment.query({ client: trx }), prepared.childFiscalCode)
        .where('form_key', prepared.formKey)
        .where('school_year', prepared.schoolYear)
        .where('status', 'active')
        .orderBy('id', 'desc')
        .first()
    }
    if (!row) return this.create(trx, prepared)
    row.useTransaction(trx)
    row.merge(prepared)
    await row.save()
    return row
  }

  /** The one place an enrolment is created: `enrolment.created` goes out in the same transaction. */
  async create(trx: TransactionClientContract, fields: Partial<Enrolment>): Promise<Enrolment> {
    const row = await Enrolment.create(fields, { client: trx })
    await emitDomainEvent('enrolment.created', enrolmentPayload(row), { trx })
    return row
  }

  /** The one place an enrolment is withdrawn (the family or the office ends it before its term). */
  async withdraw(trx: TransactionClientContract, row: Enrolment): Promise<Enrolment> {
    if (row.status === 'withdrawn') return row
    row.useTransaction(trx)
    row.status = 'withdrawn'
    await row.save()
    await emitDomainEvent('enrolment.withdrawn', enrolmentPayload(row), { trx })
    return row
  }
}

function enrolmentPayload(row: Enrolment) {
  return {
    enrolmentId: row.id,
    service: row.service,
    formKey: row.formKey,
    schoolYear: row.schoolYear,
    submissionId: row.submissionId,
    applicantUserId: row.applicantUserId,
  }
}

export const enrolmentService = new EnrolmentService()
