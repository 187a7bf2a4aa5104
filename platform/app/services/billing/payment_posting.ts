import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import PaymentPosition from '#models/payment_position'
import type { Receipt } from '#integrations/pagopa/gpd_types'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { postEntry } from '#services/billing/ledger_service'
import { recordStep } from '#services/billing/position_steps'

/*
 * Posting one payment of a position into the ledger, wherever it was read: a pagoPA receipt
 * (reconcile.ts) or a line of a reporting flow (flow_reconcile.ts).
 */

/** What a payment of a position is known by: a receipt, or a line of a reporting flow (its IUR as the id). */
export type PaymentFact = Pick<Receipt, 'iuv' | 'receiptId' | 'amount' | 'paymentDateTime' | 'pspCompanyName'> & {
  /** Where it was read: the receipt (default) or a flow (its id), kept on the payment. */
  flowId?: string
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
