import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import Enrolment from '#models/enrolment'
import School from '#models/school'
import { enrolmentService, tariffDate } from '#services/enrolments/enrolment_service'
import {
  FactsErrors,
  RuleSetNotFoundError,
  RuleSetRequestError,
  ruleSetService,
  todayInItaly,
} from '#services/definitions/ruleset_service'
import type { EvaluationResult } from '#rules/types'
import type { Lang } from '#forms/types'

/**
 * The register's changes after enrolment (Allegato A, "gestione anagrafica"): withdrawing an
 * enrolment from a day, and renewing enrolments for the next school year until the end of the
 * school cycle.
 */

/** The school year a day falls in, 1 September to 31 August ("2026/2027" for 2027-03-10). */
export function schoolYearRange(schoolYear: string) {
  const start = Number(schoolYear.slice(0, 4))
  return { first: `${start}-09-01`, last: `${start + 1}-08-31` }
}

/** The last day of a school year ("2026/2027"): 31 August of its second calendar year. */
export function schoolYearEnd(schoolYear: string) {
  return `${Number(schoolYear.slice(0, 4)) + 1}-08-31`
}

export function nextSchoolYear(schoolYear: string) {
  const start = Number(schoolYear.slice(0, 4)) + 1
  return `${start}/${start + 1}`
}

/**
 * How long each school order lasts, and the oldest a child is in it: the age reached by 31
 * December of the school year's first calendar year. Scuola dell'infanzia takes children turning
 * 3 to 5 in that year, primary school is compulsory from the year a child turns 6 and lasts five
 * years, lower secondary three (D.Lgs. 59/2004 artt. 2 and 6, DPR 89/2009 art. 2 and 4); the nido
 * takes children until the year they turn 3, when they go on to the infanzia.
 */
export const SCHOOL_CYCLES: Record<string, { years: number | null; lastAge: number }> = {
  nido: { years: null, lastAge: 2 },
  infanzia: { years: 3, lastAge: 5 },
  primaria: { years: 5, lastAge: 10 },
  secondaria_primo_grado: { years: 3, lastAge: 13 },
}

export type CycleReading =
  { renew: true; classYear: string | null } | { renew: false; reason: 'cycle_end' | 'unknown_cycle' }

/**
 * Whether an enrolment goes on into the next school year, read in this order: the class year in
 * the service's details (`class_year`, "1".."5"; the catalog's class groups are numbered so) against
 * the years of the school's order; else the child's age in the next school year against the
 * order's oldest age; else, without a school order or a birth date, it cannot be told and is left
 * to the office.
 */
export function readCycle(
  order: string | null,
  classYear: unknown,
  birthDate: string | null,
  next: string
): CycleReading {
  const cycle = order ? SCHOOL_CYCLES[order] : undefined
  if (!cycle) return { renew: false, reason: 'unknown_cycle' }
  const year = typeof classYear === 'string' && /^[1-9]$/.test(classYear) ? Number(classYear) : null
  if (cycle.years !== null && year !== null) {
    return year + 1 <= cycle.years
      ? { renew: true, classYear: String(year + 1) }
      : { renew: false, reason: 'cycle_end' }
  }
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return { renew: false, reason: 'unknown_cycle' }
  const age = Number(next.slice(0, 4)) - Number(birthDate.slice(0, 4))
  return age <= cycle.lastAge ? { renew: true, classYear: null } : { renew: false, reason: 'cycle_end' }
}

export type RenewOutcome =
  | { enrolmentId: number; outcome: 'renewed' | 'already_renewed'; renewedId: number }
  | { enrolmentId: number; outcome: 'cycle_end' | 'unknown_cycle' | 'not_active' | 'not_found' }

export const RENEW_TEXT: Record<Exclude<RenewOutcome['outcome'], 'renewed'>, Record<Lang, string>> = {
  already_renewed: {
    it: "Già rinnovata per l'anno successivo.",
    en: 'Already renewed for the next year.',
  },
  cycle_end: {
    it: 'Ciclo scolastico concluso: non si rinnova.',
    en: 'End of the school cycle: not renewed.',
  },
  unknown_cycle: {
    it: "Non si può stabilire la fine del ciclo (manca l'ordine di scuola o la data di nascita): verifica e iscrivi con una nuova domanda.",
    en: 'The end of the cycle cannot be told (no school order or birth date): check, and enrol with a new application.',
  },
  not_active: {
    it: 'Iscrizione non attiva (ritirata o conclusa): non si rinnova.',
    en: 'Enrolment not active (withdrawn or ended): not renewed.',
  },
  not_found: { it: 'Iscrizione non trovata.', en: 'Enrolment not found.' },
}

/** The fee of the renewed year: the previous year's facts, evaluated at the new year's date. */
async function renewedTariff(trx: TransactionClientContract, from: Enrolment, schoolYear: string) {
  const at = tariffDate(schoolYear, todayInItaly())
  const none = (reason: Enrolment['tariffMissingReason']) => ({
    tariffAmount: null,
    tariffRuleset: from.tariffRuleset,
    tariffVersion: null,
    tariffAt: at,
    tariffResult: null,
    tariffFacts: from.tariffFacts,
    tariffTrace: null,
    tariffMissingReason: reason,
  })
  if (!from.tariffRuleset || !from.tariffFacts) return none(from.tariffMissingReason ?? 'no_tariff_rule')
  let evaluation: EvaluationResult
  try {
    evaluation = (await ruleSetService.evaluate(from.tariffRuleset, at, from.tariffFacts, undefined, {
      client: trx,
    })) as EvaluationResult
  } catch (error) {
    if (error instanceof RuleSetNotFoundError) return none('ruleset_missing')
    if (error instanceof FactsErrors) return none('facts_invalid')
    if (error instanceof RuleSetRequestError) return none('no_version_in_force')
    throw error
  }
  const amount = evaluation.result.amount
  return {
    tariffAmount: amount === null || amount === undefined ? null : String(amount),
    tariffRuleset: evaluation.ruleset,
    tariffVersion: evaluation.version,
    tariffAt: evaluation.at,
    tariffResult: evaluation.result,
    tariffFacts: from.tariffFacts,
    tariffTrace: evaluation.trace,
    tariffMissingReason: null,
  }
}

export class EnrolmentChanges {
  /**
   * Withdraws the enrolment from a day of its school year, with the reason and who: the status,
   * the fields and `enrolment.withdrawn` in one transaction (audited by the model).
   */
  async withdraw(row: Enrolment, from: string, reason: string, userId: number) {
    return db.transaction(async (trx) => {
      const fresh = await Enrolment.query({ client: trx }).where('id', row.id).firstOrFail()
      fresh.useTransaction(trx)
      fresh.withdrawnFrom = from
      fresh.withdrawalReason = reason
      fresh.withdrawnBy = userId
      return enrolmentService.withdraw(trx, fresh)
    })
  }

  /**
   * Renews one enrolment into the next school year, when the cycle goes on: the same child,
   * school, section and application, the service's details with the class year moved on, the ISEE
   * as last declared, and the fee computed again at the new year's date from the same facts (the
   * fee set by hand is not carried: it was decided for one year). Each enrolment is renewed at most
   * once (a unique index on `renewed_from_id`); the new one goes out as `enrolment.created`, and
   * the renewed one is `ended` when its school year is already over.
   */
  async renew(id: number): Promise<RenewOutcome> {
    return db.transaction(async (trx) => {
      const from = await Enrolment.query({ client: trx }).where('id', id).first()
      if (!from) return { enrolmentId: id, outcome: 'not_found' as const }
      const existing = await Enrolment.query({ client: trx }).where('renewed_from_id', id).first()
      if (existing) return { enrolmentId: id, outcome: 'already_renewed' as const, renewedId: existing.id }
      if (from.status !== 'active') return { enrolmentId: id, outcome: 'not_active' as const }
      const next = nextSchoolYear(from.schoolYear)
      const school = from.schoolId
        ? await School.query({ client: trx }).where('code', from.schoolId).select('order').first()
        : null
      const details = from.details ?? {}
      const cycle = readCycle(school?.order ?? null, details.class_year, from.childBirthDate, next)
      if (!cycle.renew) return { enrolmentId: id, outcome: cycle.reason }
      const renewed = await enrolmentService.create(trx, {
        service: from.service,
        formKey: from.formKey,
        schoolYear: next,
        submissionId: from.submissionId,
        applicantUserId: from.applicantUserId,
        status: 'active',
        childFirstName: from.childFirstName,
        childLastName: from.childLastName,
        childFiscalCode: from.childFiscalCode,
        childUnborn: from.childUnborn,
        childBirthDate: from.childBirthDate,
        schoolId: from.schoolId,
        section: from.section,
        details: cycle.classYear ? { ...details, class_year: cycle.classYear } : from.details,
        isee: from.isee,
        renewedFromId: from.id,
        ...(await renewedTariff(trx, from, next)),
      })
      // A year renewed after it is over is ended here, in the renewal's transaction (audited by the
      // model, with who renewed); billing still bills its own school year (monthly_fees.ts). Renewed
      // before its end (in spring, for September) it stays active until then: the canteen's
      // attendance, the kitchen's counts and the families' requests still read it every day.
      if (DateTime.now().setZone('Europe/Rome').toISODate()! > schoolYearEnd(from.schoolYear)) {
        from.useTransaction(trx)
        from.status = 'ended'
        await from.save()
      }
      return { enrolmentId: id, outcome: 'renewed' as const, renewedId: renewed.id }
    })
  }
}

export const enrolmentChanges = new EnrolmentChanges()

export function isDay(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid
}
