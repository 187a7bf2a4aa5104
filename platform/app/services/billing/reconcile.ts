import db from '@adonisjs/lucid/services/db'
import PaymentPosition, { OPEN_POSITION_STATUSES } from '#models/payment_position'
import Tenant from '#models/tenant'
import { enqueueFollowUp } from '#events/follow_up'
import { jobQueue } from '#queue/queue_factory'
import type { JobDefinition } from '#queue/types'
import { pagopaFor } from '#integrations/pagopa/pagopa_service'
import { parsePagopaSettings } from '#integrations/pagopa/pagopa_settings'
import { RequestContext } from '#services/infrastructure/request_context'
import { applyPaymentIn, type PaymentFact } from '#services/billing/payment_posting'
import { reconcileFlows } from '#services/billing/flow_reconcile'

/**
 * Reconciliation of pagoPA receipts into the ledger: for every open position (published or
 * partially paid) that GPD's payments-receipts service lists as paid, the receipt is read and
 * posted as a ledger payment under the key `pagopa:<iuv>:<receipt id>`, so reading the same receipt
 * again posts nothing.
 *
 * The rule for amounts that differ from the position's (pagoPA itself takes only the exact amount
 * of a non-partial option, so this happens with instalments, manual payments or an amount changed
 * on GPD): the payment is recorded for what was actually received.
 * - Less than asked: the position is `partially_paid` and stays open; reminders and the arrears
 *   letter ask for the remainder.
 * - More than asked: the position is `paid` and the excess stays on the family's account as a credit
 *   (a negative balance), recorded on the step as `overpaid_cents` for the office, which refunds it
 *   or offsets it by an adjustment; it is not netted into the next position by itself.
 */
export const BILLING_RECONCILE_JOB = 'platform.billing-reconcile'
/** Every hour, at a quarter past: receipts reach GPD within minutes of a payment. */
export const BILLING_RECONCILE_CRON = '15 * * * *'

/** Posts one receipt of a position; answers whether it was new. */
export async function applyReceipt(position: PaymentPosition, receipt: PaymentFact): Promise<boolean> {
  if (receipt.iuv !== position.iuv) throw new Error(`Receipt ${receipt.receiptId} is not for position ${position.iupd}`)
  return db.transaction((trx) => applyPaymentIn(trx, position.id, receipt))
}

/** Reads the receipts of the tenant's open positions and posts the new ones. */
export async function reconcileTenant(tenant: Tenant) {
  const open = await PaymentPosition.query().whereIn('status', OPEN_POSITION_STATUSES).orderBy('id')
  const out = { open: open.length, receipts: 0, posted: 0 }
  if (open.length === 0) return out
  const byIuv = new Map(open.map((p) => [p.iuv, p]))
  const oldest = open.reduce((min, p) => (p.createdAt < min ? p.createdAt : min), open[0].createdAt)
  const { gateway } = pagopaFor(tenant)
  const summaries = await gateway.listReceipts({ from: oldest.minus({ days: 1 }).toISODate()! })
  for (const summary of summaries) {
    const position = byIuv.get(summary.iuv)
    if (!position) continue
    const receipt = await gateway.getReceipt(summary.iuv)
    if (!receipt) continue
    out.receipts++
    if (await applyReceipt(position, receipt)) out.posted++
  }
  return out
}

/** Asks for a reconciliation of one tenant now (the office's button; the arrears job first). */
export async function requestReconciliation(tenant: Tenant) {
  await jobQueue().enqueue(
    BILLING_RECONCILE_JOB,
    {},
    { jobId: `billing-reconcile:${tenant.id}:${Date.now()}`, tenant: tenant.ref }
  )
}

/**
 * The hourly job: without a tenant it enqueues one run per tenant with pagoPA configured (each
 * with its own id, so one tenant's trouble does not hold the others); with one, it reconciles it.
 */
export const billingReconcileJob: JobDefinition<Record<string, never>> = {
  attempts: 3,
  backoffMs: 30_000,
  async handle(_payload, ctx) {
    if (ctx.tenant) {
      const tenant = await Tenant.findOrFail(ctx.tenant.id)
      await reconcileTenant(tenant)
      // The reporting flows next: they confirm what the receipts said and bring what they missed.
      await reconcileFlows(tenant)
      return
    }
    const tenants = await RequestContext.asSystem('billing-reconcile', () => Tenant.query().orderBy('id'))
    for (const tenant of tenants) {
      let configured = false
      try {
        configured = parsePagopaSettings(tenant.settings?.pagopa) !== null
      } catch {
        configured = false
      }
      if (!configured) continue
      await enqueueFollowUp(null, BILLING_RECONCILE_JOB, {}, { jobId: `${ctx.id}:${tenant.id}`, tenant: tenant.ref })
    }
  },
}
