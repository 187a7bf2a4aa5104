import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import PaymentPosition, { OPEN_POSITION_STATUSES } from '#models/payment_position'
import Tenant from '#models/tenant'
import { enqueueFollowUp } from '#events/follow_up'
import { jobQueue } from '#queue/queue_factory'
import type { JobDefinition } from '#queue/types'
import type { Receipt } from '#integrations/pagopa/gpd_types'
import { pagopaFor } from '#integrations/pagopa/pagopa_service'
import { parsePagopaSettings } from '#integrations/pagopa/pagopa_settings'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { RequestContext } from '#services/infrastructure/request_context'
import { postEntry } from '#services/billing/ledger_service'
import { recordStep } from '#services/billing/position_steps'

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

/** What a payment of a position is known by: a receipt, or a line of a reporting flow (its IUR as the id). */
export type PaymentFact = Pick<Receipt, 'iuv' | 'receiptId' | 'amount' | 'paymentDateTime' | 'pspCompanyName'> & {
  /** Where it was read: the receipt (default) or a flow (its id), kept on the payment. */
  flowId?: string
}

/** Posts one receipt of a position; answers whether it was new. */
export async function applyReceipt(position: PaymentPosition, receipt: PaymentFact): Promise<boolean> {
  if (receipt.iuv !== position.iuv) throw new Error(`Receipt ${receipt.receiptId} is not for position ${position.iupd}`)
  return db.transaction((trx) => applyPaymentIn(trx, position.id, receipt))
}

/**
 * Posts a payment of a position in the caller's transaction, under the key `pagopa:<iuv>:<receipt id>`
 * (a flow line's IUR is the receipt's id, so a payment read from both is posted once); answers
 * whether it was new.
 */
export async function applyPaymentIn(
  trx: TransactionClientContract,
  positionId: number,
  receipt: PaymentFact
): Promise<boolean> {
  const cents = receipt.amount
  if (!Number.isSafeInteger(cents) || cents <= 0) return false
  const query = PaymentPosition.query({ client: trx }).where('id', positionId)
  if (trx.dialect.name === 'postgres') query.forUpdate()
  const current = await query.firstOrFail()
  if (receipt.iuv !== current.iuv) throw new Error(`Receipt ${receipt.receiptId} is not for position ${current.iupd}`)
  const chargeIds = (await trx.from('payment_position_items').where('position_id', current.id).select('entry_id')).map(
    (r) => Number(r.entry_id)
  )
  const paidAt = DateTime.fromISO(receipt.paymentDateTime)
  const { created } = await postEntry(trx, {
    key: `pagopa:${receipt.iuv}:${receipt.receiptId}`.slice(0, 200),
    kind: 'payment',
    payerUserId: current.payerUserId,
    service: current.service,
    period: current.period,
    amountCents: -cents,
    description: `Pagamento pagoPA avviso ${formatNoticeNumber(current.nav)}`,
    details: {
      iuv: receipt.iuv,
      receipt_id: receipt.receiptId,
      psp: receipt.pspCompanyName,
      paid_at: receipt.paymentDateTime,
      position_id: current.id,
      ...(receipt.flowId ? { flow_id: receipt.flowId } : {}),
    },
    payment: { chargeIds, iuv: receipt.iuv },
  })
  if (!created) return false
  const paid = current.paidCents + cents
  const status = paid >= current.amountCents ? 'paid' : 'partially_paid'
  current.useTransaction(trx)
  current.paidCents = paid
  if (current.status !== 'cancelled') current.status = status
  current.paidAt = paidAt.isValid ? paidAt : DateTime.now()
  current.psp = receipt.pspCompanyName?.slice(0, 200) ?? null
  await current.save()
  await recordStep(trx, current.tenantId, current.id, status, {
    receipt_id: receipt.receiptId,
    amount_cents: cents,
    paid_cents: paid,
    ...(paid > current.amountCents ? { overpaid_cents: paid - current.amountCents } : {}),
    ...(receipt.flowId ? { flow_id: receipt.flowId } : {}),
  })
  return true
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
      const { reconcileFlows } = await import('#services/billing/flow_reconcile')
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
