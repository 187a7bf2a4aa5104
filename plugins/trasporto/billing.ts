import { monthlyFeeCharges, schoolYearOf } from '@sportello/platform/sdk'
import type { BillingCharges, EnrolmentRecord, PluginContext } from '@sportello/platform/sdk'

/**
 * The months the transport runs: a school year's September to June (the pass of Allegato D is
 * "mensile" or "annuale" for the school year; there is no service in July and August).
 */
const SCHOOL_MONTHS = ['09', '10', '11', '12', '01', '02', '03', '04', '05', '06']

/** The first month the enrolment owes: the month its fee was set, not before the school year's September. */
function firstMonthOf(enrolment: EnrolmentRecord): string {
  const september = `${enrolment.schoolYear.slice(0, 4)}-09`
  const at = enrolment.tariff.at?.slice(0, 7) ?? null
  return at && at > september ? at : september
}

/**
 * The transport's charges of a month (trasporto.tariffa: the fee of a monthly pass, or of the annual
 * one). A monthly pass is billed once a month from the first month owed to June; an annual pass once,
 * in the first month owed. The same facts give the same lines, so a run repeated posts nothing twice.
 */
export function transportCharges(period: string, ctx: PluginContext): Promise<BillingCharges> {
  const month = period.slice(5, 7)
  const owesNothing = new Set<number>()
  const owed = (enrolment: EnrolmentRecord) => {
    if (!SCHOOL_MONTHS.includes(month) || schoolYearOf(period) !== enrolment.schoolYear) return false
    const first = firstMonthOf(enrolment)
    if (period < first) return false
    return enrolment.details?.payment_plan === 'annuale' ? period === first : true
  }
  return monthlyFeeCharges(ctx, period, {
    quantity: (enrolment) => {
      if (owed(enrolment)) return '1'
      owesNothing.add(enrolment.id)
      return null
    },
    description: (enrolment, p) => {
      const annual = enrolment.details?.payment_plan === 'annuale'
      const name = [enrolment.child.firstName, enrolment.child.lastName].filter(Boolean).join(' ')
      return annual
        ? `Trasporto scolastico, abbonamento annuale ${enrolment.schoolYear}, ${name}`
        : `Trasporto scolastico, abbonamento ${p}, ${name}`
    },
  }).then((result) => ({
    lines: result.lines,
    // An enrolment that owes nothing this month (summer, an annual pass already billed) is no anomaly.
    notes: (result.notes ?? []).filter((n) => n.enrolmentId === undefined || !owesNothing.has(n.enrolmentId)),
  }))
}
