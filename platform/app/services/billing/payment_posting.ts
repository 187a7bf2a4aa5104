import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import PaymentPosition from '#models/payment_position'
import Injunction from '#models/injunction'
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
  const injunction = await trx
    .from('injunctions')
    .where('tenant_id', current.tenantId)
    .where('position_id', current.id)
    .select('id')
    .first()
  if (injunction) return applyInjunctionPayment(trx, current, Number(injunction.id), receipt)
  const chargeIds = (await trx.from('position_charges').where('position_id', current.id).select('entry_id')).map((r) =>
    Number(r.entry_id)
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

/**
 * A payment of an injunction's position (services/billing/injunctions.ts) settles the positions it
 * replaced: the amount is shared among them oldest month first, one ledger payment per replaced
 * position under that position's service and month (the first under the receipt's own key, the
 * others under it with `:2`, `:3`…, all in this transaction), so the balances per payer, service and
 * month come out as if each had been paid; each replaced position covered in full becomes `paid`.
 * What exceeds the total stays on the last one as the family's credit. The injunction's position
 * records the payment as any position does, and the injunction becomes `paid` with it.
 */
async function applyInjunctionPayment(
  trx: TransactionClientContract,
  current: PaymentPosition,
  injunctionId: number,
  receipt: PaymentFact
): Promise<boolean> {
  const cents = receipt.amount
  const key = `pagopa:${receipt.iuv}:${receipt.receiptId}`.slice(0, 200)
  const known = await trx.from('ledger_entries').where('tenant_id', current.tenantId).where('entry_key', key).first()
  if (known) return false
  const replacedRows = await trx
    .from('injunction_positions')
    .where('tenant_id', current.tenantId)
    .where('injunction_id', injunctionId)
    .where('outcome', 'invalidated')
    .select('position_id')
  const replaced = await PaymentPosition.query({ client: trx })
    .whereIn(
      'id',
      replacedRows.map((r) => Number(r.position_id))
    )
    .orderBy('period')
    .orderBy('id')
  const parts: Array<{ position: PaymentPosition; cents: number }> = []
  let left = cents
  for (const position of replaced) {
    const owed = position.amountCents - position.paidCents
    if (owed <= 0 || left <= 0) continue
    const take = Math.min(owed, left)
    parts.push({ position, cents: take })
    left -= take
  }
  if (left > 0) {
    if (parts.length > 0) parts[parts.length - 1].cents += left
    else parts.push({ position: current, cents: left })
  }
  const paidAt = DateTime.fromISO(receipt.paymentDateTime)
  const when = paidAt.isValid ? paidAt : DateTime.now()
  const psp = receipt.pspCompanyName?.slice(0, 200) ?? null
  for (const [i, part] of parts.entries()) {
    const chargeIds = (
      await trx.from('position_charges').where('position_id', part.position.id).select('entry_id')
    ).map((r) => Number(r.entry_id))
    await postEntry(trx, {
      key: i === 0 ? key : `${key.slice(0, 194)}:${i + 1}`,
      kind: 'payment',
      payerUserId: current.payerUserId,
      service: part.position.service,
      period: part.position.period,
      amountCents: -part.cents,
      description: `Pagamento pagoPA ingiunzione, avviso ${formatNoticeNumber(current.nav)}`,
      details: {
        iuv: receipt.iuv,
        receipt_id: receipt.receiptId,
        psp: receipt.pspCompanyName,
        paid_at: receipt.paymentDateTime,
        position_id: current.id,
        injunction_id: injunctionId,
        ...(part.position.id !== current.id ? { settles_position_id: part.position.id } : {}),
        ...(receipt.flowId ? { flow_id: receipt.flowId } : {}),
      },
      payment: { chargeIds, iuv: receipt.iuv },
    })
    if (part.position.id === current.id) continue
    const settled = part.position
    settled.useTransaction(trx)
    settled.paidCents += part.cents
    if (settled.paidCents >= settled.amountCents) {
      settled.status = 'paid'
      settled.paidAt = when
      settled.psp = psp
      await settled.save()
      await recordStep(trx, settled.tenantId, settled.id, 'paid', {
        receipt_id: receipt.receiptId,
        amount_cents: part.cents,
        paid_cents: settled.paidCents,
        injunction_id: injunctionId,
      })
    } else {
      await settled.save()
    }
  }
  const paid = current.paidCents + cents
  const status = paid >= current.amountCents ? 'paid' : 'partially_paid'
  current.useTransaction(trx)
  current.paidCents = paid
  if (current.status !== 'cancelled') current.status = status
  current.paidAt = when
  current.psp = psp
  await current.save()
  await recordStep(trx, current.tenantId, current.id, status, {
    receipt_id: receipt.receiptId,
    amount_cents: cents,
    paid_cents: paid,
    injunction_id: injunctionId,
    ...(paid > current.amountCents ? { overpaid_cents: paid - current.amountCents } : {}),
    ...(receipt.flowId ? { flow_id: receipt.flowId } : {}),
  })
  if (status === 'paid') {
    const injunction = await Injunction.query({ client: trx }).where('id', injunctionId).first()
    if (injunction && injunction.status !== 'paid') {
      injunction.useTransaction(trx)
      injunction.status = 'paid'
      await injunction.save()
    }
  }
  return true
}
