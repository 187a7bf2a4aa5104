import { euroTextToCents } from '#services/billing/charge_amount'
import type { BillingCharges, BillingNote, EnrolmentRecord, PluginContext } from '#sdk/types'

/**
 * The charges of a service billed by a fixed fee per month (a monthly transport pass, a monthly
 * school fee): one line per active enrolment of the school year the period falls in (and per
 * enrolment withdrawn from a later day than the month's first), the fee × a
 * quantity the plugin may supply (1 by default: a month), or the operator's fee override where the
 * enrolment has one. Enrolments without a fee are left out with a note for the operator.
 */
export interface MonthlyFeeOptions {
  /** How many units of the fee the enrolment owes for the period; null leaves it out with a note. */
  quantity?: (enrolment: EnrolmentRecord, period: string) => string | null | Promise<string | null>
  /** The charge's description; "<service name> <period>" by default. */
  description?: (enrolment: EnrolmentRecord, period: string) => string
  /** The school year of a period; September to August by default ("2026/2027" for 2026-11 and 2027-03). */
  schoolYear?: (period: string) => string
}

export function schoolYearOf(period: string) {
  const [year, month] = period.split('-').map(Number)
  const start = month >= 9 ? year : year - 1
  return `${start}/${start + 1}`
}

export async function monthlyFeeCharges(
  ctx: PluginContext,
  period: string,
  options: MonthlyFeeOptions = {}
): Promise<BillingCharges> {
  const schoolYear = (options.schoolYear ?? schoolYearOf)(period)
  // A child withdrawn from a day is billed the months begun before it (a month counts when the
  // child was enrolled on its first day).
  const withdrawn = await ctx.enrolments.list({ schoolYear, status: 'withdrawn' })
  // An enrolment ended by its renewal into the next year ran to the end of its own school year.
  const enrolments = [
    ...(await ctx.enrolments.list({ schoolYear, status: 'active' })),
    ...(await ctx.enrolments.list({ schoolYear, status: 'ended' })),
    ...withdrawn.filter((e) => e.withdrawnFrom && e.withdrawnFrom > `${period}-01`),
  ]
  const lines: BillingCharges['lines'] = []
  const notes: BillingNote[] = []
  for (const enrolment of enrolments) {
    const override = enrolment.feeOverride ?? null
    const fee = override ? override.amount : enrolment.tariff.amount
    const unitCents = euroTextToCents(fee)
    if (unitCents === null) {
      notes.push({
        enrolmentId: enrolment.id,
        message: { it: 'Iscrizione senza tariffa: non addebitata', en: 'Enrolment without a fee: not charged' },
      })
      continue
    }
    const quantity = options.quantity ? await options.quantity(enrolment, period) : '1'
    if (quantity === null) {
      notes.push({
        enrolmentId: enrolment.id,
        message: { it: 'Nessuna quantità per il periodo', en: 'No quantity for the period' },
      })
      continue
    }
    if (override) {
      notes.push({
        enrolmentId: enrolment.id,
        message: {
          it: `Tariffa modificata dall'ufficio: ${override.amount} euro`,
          en: `Fee set by the office: ${override.amount} euro`,
        },
      })
    }
    lines.push({
      enrolmentId: enrolment.id,
      key: 'fee',
      description: options.description?.(enrolment, period) ?? `${ctx.pluginId} ${period}`,
      quantity,
      unitCents,
      details: {
        ruleset: enrolment.tariff.ruleset,
        version: enrolment.tariff.version,
        at: enrolment.tariff.at,
        override: override ? { amount: override.amount, reason: override.reason ?? null } : null,
      },
    })
  }
  return { lines, notes }
}
