import { DateTime } from 'luxon'
import { todayInRome } from '#forms/field_rules'
import PaymentPosition, { OPEN_POSITION_STATUSES } from '#models/payment_position'
import type Tenant from '#models/tenant'
import { billingSettingsOf } from '#services/billing/billing_run'
import { centsText, type ApplicantFacts } from '#shared/applicant_facts'
import type { Lang } from '#sdk/types'

/** The calendar day `days` days before an ISO day (plain date arithmetic: no zone, no clock hour). */
function daysBefore(isoDay: string, days: number): string {
  const [y, m, d] = isoDay.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10)
}

/**
 * What a payer of the tenant in context owes past due: the unpaid part of their open positions whose
 * due date is more than `afterDays` days before today (Italian time), in integer cents, from the
 * ledger's positions. A position paid or cancelled counts nothing.
 */
export async function overdueDebtCents(payerUserId: number, afterDays: number, now: DateTime = DateTime.now()) {
  const before = daysBefore(todayInRome(now.toJSDate()), afterDays)
  const rows = await PaymentPosition.query()
    .where('payer_user_id', payerUserId)
    .whereIn('status', OPEN_POSITION_STATUSES)
    // An injunction's position asks for positions long past due (injunctions.ts): it counts whole,
    // whatever its own due date, as the positions it replaced did.
    .where((q) =>
      q
        .where('due_date', '<', before)
        .orWhereExists((e) => e.from('injunctions').whereColumn('injunctions.position_id', 'payment_positions.id'))
    )
    .select('amount_cents', 'paid_cents')
    .limit(10_000)
  let cents = 0
  for (const row of rows) cents += Math.max(0, row.amountCents - row.paidCents)
  return cents
}

/**
 * The applicant's facts for the forms' BLOCCO rules (shared/applicant_facts.ts): whether the tenant
 * refuses applications over overdue debt (billing.debtBlocksEnrolment) and the debt itself, counted
 * after the tenant's days of grace (billing.debtBlockAfterDays).
 */
export async function applicantFacts(
  tenant: Pick<Tenant, 'settings'>,
  userId: number,
  lang: Lang,
  now: DateTime = DateTime.now()
): Promise<ApplicantFacts> {
  const settings = billingSettingsOf(tenant as Tenant)
  const cents = await overdueDebtCents(userId, settings.debtBlockAfterDays, now)
  return {
    blocco_debiti: settings.debtBlocksEnrolment,
    debito_scaduto_cents: cents,
    debito_scaduto: centsText(cents, lang),
  }
}
