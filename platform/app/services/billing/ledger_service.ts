import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import LedgerEntry, { type LedgerKind } from '#models/ledger_entry'
import { emitDomainEvent } from '#events/domain_events'
import { centsToEuro } from '#integrations/pagopa/amounts'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * The ledger (DESIGN.md, Money): one account per tenant and paying person, made of immutable
 * entries in integer cents. A charge is positive, a payment negative, an adjustment either; the
 * balance is their sum (positive: owed by the family; negative: a credit of the family).
 *
 * Posting is idempotent by the entry's key: posting the same key again answers the entry already
 * there (and refuses one that differs in kind, payer or amount), so a job retried after a crash
 * never charges twice. Every entry is written in the caller's transaction with its audit row and
 * its event (`charge.created`, `payment.received`), so the three exist together or not at all.
 */
export interface NewLedgerEntry {
  /** The business key: e.g. `billing:<service>:2026-11:enrolment:42`. At most 200 characters. */
  key: string
  kind: LedgerKind
  payerUserId: number
  enrolmentId?: number | null
  service: string
  /** YYYY-MM. */
  period?: string | null
  amountCents: number
  quantity?: string | null
  unitCents?: number | null
  description: string
  details?: Record<string, unknown> | null
  /** Payments: the charges it pays and the pagoPA IUV, for the `payment.received` event. */
  payment?: { chargeIds: number[]; iuv: string | null }
}

export class LedgerError extends Error {
  readonly status = 422
  constructor(
    readonly field: string,
    message: string
  ) {
    super(`Ledger entry, ${field}: ${message}`)
    this.name = 'LedgerError'
  }
}

export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/
const QUANTITY = /^\d{1,7}(\.\d{1,3})?$/
/** A bound far above any fee, far below 2^53: an amount beyond it is a mistake, not a fee. */
export const MAX_CENTS = 100_000_000_00

function check(input: NewLedgerEntry) {
  if (typeof input.key !== 'string' || !input.key.trim() || input.key.length > 200) {
    throw new LedgerError('key', 'must be 1 to 200 characters')
  }
  if (!Number.isSafeInteger(input.amountCents) || Math.abs(input.amountCents) > MAX_CENTS) {
    throw new LedgerError('amountCents', 'must be a whole number of cents')
  }
  if (input.kind === 'charge' && input.amountCents < 0) throw new LedgerError('amountCents', 'a charge is not negative')
  if (input.kind === 'payment' && input.amountCents >= 0) throw new LedgerError('amountCents', 'a payment is negative')
  if (input.kind === 'adjustment' && input.amountCents === 0) throw new LedgerError('amountCents', 'must not be zero')
  if (input.period !== null && input.period !== undefined && !PERIOD.test(input.period))
    throw new LedgerError('period', 'must be YYYY-MM')
  if (input.quantity !== null && input.quantity !== undefined && !QUANTITY.test(input.quantity))
    throw new LedgerError('quantity', 'not a quantity')
  if (
    input.unitCents !== null &&
    input.unitCents !== undefined &&
    (!Number.isSafeInteger(input.unitCents) || Math.abs(input.unitCents) > MAX_CENTS)
  ) {
    throw new LedgerError('unitCents', 'must be a whole number of cents')
  }
  if (typeof input.description !== 'string' || !input.description.trim() || input.description.length > 300) {
    throw new LedgerError('description', 'must be 1 to 300 characters')
  }
  if (typeof input.service !== 'string' || !/^[a-z][a-z0-9-]{0,59}$/.test(input.service)) {
    throw new LedgerError('service', 'must be a service id')
  }
}

export class LedgerKeyConflictError extends Error {
  constructor(key: string) {
    super(`Ledger entry ${key} is already posted with another kind, payer or amount`)
    this.name = 'LedgerKeyConflictError'
  }
}

export async function postEntry(
  trx: TransactionClientContract,
  input: NewLedgerEntry
): Promise<{ entry: LedgerEntry; created: boolean }> {
  check(input)
  const existing = await LedgerEntry.query({ client: trx }).where('entry_key', input.key).first()
  if (existing) {
    if (
      existing.kind !== input.kind ||
      existing.payerUserId !== input.payerUserId ||
      existing.amountCents !== input.amountCents
    ) {
      throw new LedgerKeyConflictError(input.key)
    }
    return { entry: existing, created: false }
  }
  const entry = await LedgerEntry.create(
    {
      entryKey: input.key,
      kind: input.kind,
      payerUserId: input.payerUserId,
      enrolmentId: input.enrolmentId ?? null,
      service: input.service,
      period: input.period ?? null,
      amountCents: input.amountCents,
      quantity: input.quantity ?? null,
      unitCents: input.unitCents ?? null,
      description: input.description.trim(),
      details: input.details ?? null,
      actorLabel: (RequestContext.actor()?.label ?? 'anonimo').slice(0, 200),
    },
    { client: trx }
  )
  if (entry.kind === 'charge') {
    await emitDomainEvent(
      'charge.created',
      {
        chargeId: entry.id,
        service: entry.service,
        payerUserId: entry.payerUserId,
        amount: centsToEuro(entry.amountCents),
        period: entry.period,
      },
      { trx }
    )
  } else if (entry.kind === 'payment') {
    await emitDomainEvent(
      'payment.received',
      {
        paymentId: entry.id,
        chargeIds: input.payment?.chargeIds ?? [],
        amount: centsToEuro(-entry.amountCents),
        iuv: input.payment?.iuv ?? null,
      },
      { trx }
    )
  }
  return { entry, created: true }
}

export interface Balance {
  /** Charges + adjustments + payments (payments are negative): what the person still owes. */
  balanceCents: number
  chargedCents: number
  paidCents: number
  adjustedCents: number
}

export interface BalanceFilter {
  payerUserId?: number
  enrolmentId?: number
  service?: string
}

/** The balance of a payer, an enrolment or both (and optionally one service), in the current tenant. */
export async function balanceOf(filter: BalanceFilter, client?: TransactionClientContract): Promise<Balance> {
  if (filter.payerUserId === undefined && filter.enrolmentId === undefined) {
    throw new Error('A balance is of a payer or of an enrolment')
  }
  const query = LedgerEntry.query(client ? { client } : undefined)
    .select('kind')
    .sum('amount_cents as total')
    .groupBy('kind')
  if (filter.payerUserId !== undefined) query.where('payer_user_id', filter.payerUserId)
  if (filter.enrolmentId !== undefined) query.where('enrolment_id', filter.enrolmentId)
  if (filter.service !== undefined) query.where('service', filter.service)
  const out: Balance = { balanceCents: 0, chargedCents: 0, paidCents: 0, adjustedCents: 0 }
  for (const row of await query) {
    const total = Number(row.$extras.total ?? 0)
    if (row.kind === 'charge') out.chargedCents = total
    else if (row.kind === 'payment') out.paidCents = -total
    else out.adjustedCents = total
  }
  out.balanceCents = out.chargedCents + out.adjustedCents - out.paidCents
  return out
}

/** A payer's entries, oldest first, at most `limit` (the statement the back office and the family read). */
export function statementOf(payerUserId: number, limit = 500) {
  return LedgerEntry.query().where('payer_user_id', payerUserId).orderBy('id').limit(Math.min(limit, 2000))
}

export function entryView(entry: LedgerEntry) {
  return {
    id: entry.id,
    kind: entry.kind,
    service: entry.service,
    enrolment_id: entry.enrolmentId,
    period: entry.period,
    amount_cents: entry.amountCents,
    amount: centsToEuro(entry.amountCents),
    quantity: entry.quantity,
    unit_cents: entry.unitCents,
    description: entry.description,
    created_at: entry.createdAt.toISO(),
  }
}
