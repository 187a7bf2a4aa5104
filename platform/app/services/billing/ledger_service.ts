import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import LedgerEntry, { type LedgerKind } from '#models/ledger_entry'
import { emitDomainEvent } from '#events/domain_events'
import { centsToEuro } from '#integrations/pagopa/amounts'
import { RequestContext } from '#services/infrastructure/request_context'
import { writeAudits } from '#services/infrastructure/audit_service'

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

/** The checks every entry passes before it is posted (a LedgerError names what is wrong). */
export function checkEntry(input: NewLedgerEntry) {
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
  checkEntry(input)
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

/**
 * `postEntry` for many entries in one transaction, by multi-row statements (the monthly run posts
 * tens of thousands): the same checks, the same idempotence by key (an entry already posted is
 * kept, one that differs refuses the whole call), the same audit rows (or, for a run's charges,
 * one row for the batch: `batchAudit`, see CHARGE_BATCH_ACTION) and events. Answers the
 * entries created (id and what was posted), in order
 * of the entries created.
 */
/**
 * The charges of a monthly run are audited per batch, not per charge (a run writes a charge per
 * child and month: 100,000 audit rows that each repeated what the ledger row itself holds). The
 * batch's row: action `create_batch`, entity `ledger_entries`, entity id `run:<run id>`, and after
 * it `{ runId, startedByUserId, service, period, charges, totalCents, firstEntryId, lastEntryId }`;
 * the actor is who wrote the batch (the run's job), `startedByUserId` who started the run. Every
 * charge of a run carries `details.run`, so who created a charge is found from the charge: the run's
 * batch rows, the one whose id range holds it (`chargeCreationAudit` in billing_audit.ts).
 */
export const CHARGE_BATCH_ACTION = 'create_batch'
export const chargeBatchEntityId = (runId: number) => `run:${runId}`
export interface ChargeBatchAudit {
  runId: number
  startedByUserId: number | null
  service: string
  period: string
}

export async function postEntries(
  trx: TransactionClientContract,
  inputs: NewLedgerEntry[],
  batchAudit?: ChargeBatchAudit
): Promise<Array<{ id: number; entry: NewLedgerEntry }>> {
  const tenant = RequestContext.tenant()
  if (!tenant) throw new Error('Ledger entries are posted in a tenant context')
  for (const input of inputs) checkEntry(input)
  const byKey = new Map<string, NewLedgerEntry>()
  const same = (a: { kind: string; payerUserId: number; amountCents: number }, b: NewLedgerEntry) =>
    a.kind === b.kind && a.payerUserId === b.payerUserId && a.amountCents === b.amountCents
  for (const input of inputs) {
    const before = byKey.get(input.key)
    if (before && !same(before, input)) throw new LedgerKeyConflictError(input.key)
    byKey.set(input.key, input)
  }
  const keys = [...byKey.keys()]
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await trx
      .from('ledger_entries')
      .where('tenant_id', tenant.id)
      .whereIn('entry_key', keys.slice(i, i + 500))
      .select('entry_key', 'kind', 'payer_user_id', 'amount_cents')
    for (const row of rows) {
      const input = byKey.get(row.entry_key)!
      const posted = { kind: row.kind, payerUserId: Number(row.payer_user_id), amountCents: Number(row.amount_cents) }
      if (!same(posted, input)) throw new LedgerKeyConflictError(input.key)
      byKey.delete(row.entry_key)
    }
  }
  const actorLabel = (RequestContext.actor()?.label ?? 'anonimo').slice(0, 200)
  const createdAt = DateTime.now().toFormat(trx.dialect.dateTimeFormat)
  const fresh = [...byKey.values()]
  const ids: number[] = []
  const audits: Parameters<typeof writeAudits>[1] = []
  for (let i = 0; i < fresh.length; i += 300) {
    const chunk = fresh.slice(i, i + 300)
    const values = chunk.map((input) => ({
      tenant_id: tenant.id,
      entry_key: input.key,
      kind: input.kind,
      payer_user_id: input.payerUserId,
      enrolment_id: input.enrolmentId ?? null,
      service: input.service,
      period: input.period ?? null,
      amount_cents: input.amountCents,
      quantity: input.quantity ?? null,
      unit_cents: input.unitCents ?? null,
      description: input.description.trim(),
      details: input.details ? JSON.stringify(input.details) : null,
      actor_label: actorLabel,
      created_at: createdAt,
    }))
    // Ids read back by key: RETURNING of a multi-row insert is not portable to SQLite through knex.
    await trx.insertQuery().table('ledger_entries').insert(values)
    const written = await trx
      .from('ledger_entries')
      .where('tenant_id', tenant.id)
      .whereIn(
        'entry_key',
        values.map((v) => v.entry_key)
      )
      .select('id', 'entry_key')
    const idOf = new Map(written.map((r) => [r.entry_key as string, Number(r.id)]))
    for (const row of values) {
      const id = idOf.get(row.entry_key)!
      ids.push(id)
      audits.push({
        tenantId: tenant.id,
        action: 'create',
        entity: 'ledger_entries',
        entityId: String(id),
        after: { id, ...row },
      })
    }
  }
  if (!batchAudit) await writeAudits(trx, audits)
  else if (ids.length > 0) {
    await writeAudits(trx, [
      {
        tenantId: tenant.id,
        action: CHARGE_BATCH_ACTION,
        entity: 'ledger_entries',
        entityId: chargeBatchEntityId(batchAudit.runId),
        after: {
          ...batchAudit,
          charges: ids.length,
          totalCents: fresh.reduce((sum, e) => sum + e.amountCents, 0),
          firstEntryId: ids.reduce((a, b) => Math.min(a, b)),
          lastEntryId: ids.reduce((a, b) => Math.max(a, b)),
        },
      },
    ])
  }
  for (const [i, input] of fresh.entries()) {
    if (input.kind === 'charge') {
      await emitDomainEvent(
        'charge.created',
        {
          chargeId: ids[i],
          service: input.service,
          payerUserId: input.payerUserId,
          amount: centsToEuro(input.amountCents),
          period: input.period ?? null,
        },
        { trx }
      )
    } else if (input.kind === 'payment') {
      await emitDomainEvent(
        'payment.received',
        {
          paymentId: ids[i],
          chargeIds: input.payment?.chargeIds ?? [],
          amount: centsToEuro(-input.amountCents),
          iuv: input.payment?.iuv ?? null,
        },
        { trx }
      )
    }
  }
  return fresh.map((entry, i) => ({ id: ids[i], entry }))
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
