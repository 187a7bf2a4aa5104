import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { EvaluationResult } from '#rules/types'
import { tariffFacts } from '#forms/tariff_preview'
import { isPlainObject } from '#forms/json_pointer'
import { childKey, whereSameChild } from '#services/submissions/child_identity'
import type { FormDefinition, Lang } from '#forms/types'
import Enrolment, { type TariffMissingReason } from '#models/enrolment'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import Submission from '#models/submission'
import { emitDomainEvent } from '#events/domain_events'
import { pluginRegistry } from '#plugins/registry'
import type { SubmissionEnrolment } from '#sdk/types'
import {
  FactsErrors,
  RuleSetNotFoundError,
  RuleSetRequestError,
  ruleSetService,
  todayInItaly,
} from '#services/definitions/ruleset_service'

/**
 * Enrolments as the platform keeps them for every service: who, which service and form, which
 * school year, status, the child, the fee with its trace. Enrolling on acceptance is the service
 * plugin's subscriber to `submission.accepted`, run inside the acceptance's transaction
 * (`inTransaction`): it reads what only its forms know (health data, a stop, attendance weeks) into its
 * own `details` and calls `ctx.enrolments.enrolSubmission`, which lands here. So the submission's
 * new status and its enrolment are committed together or not at all.
 *
 * Everything runs on the acceptance's transaction, the rules engine's reads too: on SQLite (one
 * connection) a read outside an open write transaction would wait for it.
 */

const TIME_ZONE = 'Europe/Rome'

/**
 * The school year a submission is for, as "2026/2027". A first day of attendance decides when the
 * service has one (a summer service's weeks, given by its plugin): the school year runs from
 * 1 September to 31 August. Otherwise the date the submission was sent decides: enrolment calls
 * open in spring for the year starting in September (Allegato A), so from 1 March on it is the
 * coming year; in January and February it is a late enrolment in the year under way.
 */
export function schoolYearOf(sentOn: string, attendanceFrom: string | null = null): string {
  const attendance = attendanceFrom && /^\d{4}-\d{2}-\d{2}$/.test(attendanceFrom) ? attendanceFrom : null
  const [year, month] = (attendance ?? sentOn).split('-').map(Number)
  const firstMonth = attendance ? 9 : 3
  const start = month >= firstMonth ? year : year - 1
  return `${start}/${start + 1}`
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

/** The first day of attendance the service's plugin reads in a submission's data, if any. */
export function attendanceFromOf(service: string | null, data: Record<string, unknown>): string | null {
  const read = service ? pluginRegistry().get(service)?.manifest.enrolment?.attendanceFrom : undefined
  return read ? read(data) : null
}

/** The service (plugin id) a form of the tenant belongs to; null for an unknown key. */
export async function serviceOfForm(formKey: string): Promise<string | null> {
  const form = await Form.query().where('key', formKey).select('service').first()
  return form?.service ?? null
}

/** The school year of an application on a form, sent on a day (see schoolYearOf). */
export async function submissionSchoolYear(
  formKey: string,
  data: Record<string, unknown>,
  sentOn: string
): Promise<string> {
  return schoolYearOf(sentOn, attendanceFromOf(await serviceOfForm(formKey), data))
}

const str = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null)

/** The child of the shared definitions (`student` in school forms, `child` in the others). */
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

async function tariffOf(
  trx: TransactionClientContract,
  definition: FormDefinition,
  data: Record<string, unknown>,
  at: string
): Promise<Tariff> {
  const mapped = tariffFacts(definition, data)
  if (!mapped) return noTariff('no_tariff_rule', null, null)
  let evaluation: EvaluationResult
  try {
    evaluation = (await ruleSetService.evaluate(mapped.ruleset, at, mapped.facts, undefined, {
      client: trx,
    })) as EvaluationResult
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
  Pick<Enrolment, 'schoolId' | 'section' | 'details' | 'isee'> &
  Tariff

/** A submission that is not of the service asking to enrol it. */
export class ForeignSubmissionError extends Error {
  constructor(service: string, submissionId: number) {
    super(`Service "${service}" cannot enrol submission ${submissionId}: it belongs to another service`)
    this.name = 'ForeignSubmissionError'
  }
}

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
  /**
   * Reads the submission and its form, computes the school year and the fee, and adds what the
   * service plugin gives: the record an accepted submission of that service makes. Writes nothing.
   */
  async prepare(
    trx: TransactionClientContract,
    service: string,
    submissionId: number,
    input: SubmissionEnrolment
  ): Promise<PreparedEnrolment> {
    const submission = await Submission.query({ client: trx }).where('id', submissionId).firstOrFail()
    const [version, form] = await Promise.all([
      FormVersion.query({ client: trx }).where('id', submission.formVersionId).firstOrFail(),
      Form.query({ client: trx }).where('id', submission.formId).firstOrFail(),
    ])
    if (form.service !== service) throw new ForeignSubmissionError(service, submissionId)
    const definition = version.definition as unknown as FormDefinition
    const data = submission.data ?? {}
    const sent = submission.submittedAt ?? submission.createdAt
    const sentOn = sent.setZone(TIME_ZONE).toISODate()!
    const schoolYear = schoolYearOf(sentOn, attendanceFromOf(service, data))
    return {
      service,
      formKey: submission.formKey,
      schoolYear,
      submissionId: submission.id,
      applicantUserId: submission.applicantUserId,
      status: 'active',
      ...childOf(data),
      schoolId: input.schoolId ?? null,
      section: input.section ?? null,
      details: input.details && Object.keys(input.details).length > 0 ? input.details : null,
      isee: input.isee ?? null,
      ...(await tariffOf(trx, definition, data, tariffDate(schoolYear, todayInItaly()))),
    }
  }

  /** Enrols the child of an accepted submission of a service: prepare, then create or update. */
  async enrolSubmission(
    trx: TransactionClientContract,
    service: string,
    submissionId: number,
    input: SubmissionEnrolment
  ): Promise<Enrolment> {
    return this.apply(trx, await this.prepare(trx, service, submissionId, input))
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
