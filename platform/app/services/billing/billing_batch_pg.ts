import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type BillingRun from '#models/billing_run'
import type { BillingRunNote } from '#models/billing_run'
import type Tenant from '#models/tenant'
import { nextNoticeNumbers } from '#integrations/pagopa/notice_sequence'
import type { PagopaSettings } from '#integrations/pagopa/pagopa_settings'
import {
  CHARGE_BATCH_ACTION,
  chargeBatchEntityId,
  LedgerKeyConflictError,
  type NewLedgerEntry,
} from '#services/billing/ledger_service'
import { POSITION_BATCH_ACTION, positionBatchEntityId } from '#services/billing/billing_audit'
import { RequestContext } from '#services/infrastructure/request_context'
import { phaseClock } from '#services/billing/billing_phases'

/** The keys from a charge and from an item to their position, deferrable on PostgreSQL (migrations 0041, 0042). */
const POSITION_KEYS = ['ledger_entries_tenant_position_foreign', 'payment_position_items_tenant_position_foreign']

/**
 * The monthly run's batch on PostgreSQL, set-based: the batch's charges travel as one JSON
 * parameter and every write is an INSERT … SELECT inside the server, each with its audit rows in
 * the same statement (a data-modifying WITH): one row for the batch's charges, one for its positions (billing_audit.ts). It writes exactly what the portable path writes (the
 * ledger entries, their audit rows, one position per payer with its gap-free notice number, the
 * items, the position jobs), in the caller's transaction; `collectRun` uses it when no plugin
 * listens to `charge.created` (an event per charge needs the portable path, which emits them).
 *
 * Answers the positions written (id and IUV), for the caller to enqueue their jobs.
 */
type BatchInput = {
  run: BillingRun
  tenant: Tenant
  payers: Array<{ payerUserId: number; entries: NewLedgerEntry[] }>
  pagopa: PagopaSettings
  notes: BillingRunNote[]
  clock?: ReturnType<typeof phaseClock>
}

export async function billBatchOnPostgres(
  trx: TransactionClientContract,
  input: BatchInput
): Promise<Array<{ id: number; iuv: string }>> {
  // The batch writes charges (and items) naming positions it writes last: the keys from them to the
  // positions are deferred while it writes, then checked for the whole batch at once and immediate
  // again for whatever else this transaction writes (SET CONSTRAINTS holds to the end of the
  // outermost transaction, and a caller may run the batch inside one of its own).
  await trx.rawQuery(`SET CONSTRAINTS ${POSITION_KEYS.join(', ')} DEFERRED`)
  const written = await writeBatch(trx, input)
  await trx.rawQuery(`SET CONSTRAINTS ${POSITION_KEYS.join(', ')} IMMEDIATE`)
  input.clock?.mark('keys to the positions checked')
  return written
}

async function writeBatch(
  trx: TransactionClientContract,
  input: BatchInput
): Promise<Array<{ id: number; iuv: string }>> {
  const { run, tenant } = input
  const clock = input.clock ?? phaseClock()
  const actor = RequestContext.actor()
  const actorLabel = (actor?.label ?? 'anonimo').slice(0, 200)
  // 0 stands for none (NULLIF in the statements): no user id is 0.
  const actorUserId = actor?.userId ?? 0
  const now = DateTime.now().toISO()

  // A payer whose lines add up to more than zero will have a position: its id is reserved now (a
  // sequence takes no lock a concurrent batch waits on), and each of its new charges is written
  // naming it (ledger_entries.position_id, migration 0042). What the notice sequence's lock is held
  // for, from the numbers to the commit, is only the positions, the check of the keys and their jobs.
  const positioned = input.payers
    .filter((payer) => payer.entries.reduce((sum, e) => sum + e.amountCents, 0) > 0)
    .map((payer) => payer.payerUserId)
  const positionOf = new Map<number, number>()
  const reserved = await reservePositionIds(trx, positioned.length)
  positioned.forEach((payer, k) => positionOf.set(payer, reserved[k]))
  const lines = input.payers.flatMap((payer) =>
    payer.entries.map((e) => ({
      o: positionOf.get(payer.payerUserId) ?? null,
      k: e.key,
      p: e.payerUserId,
      e: e.enrolmentId ?? null,
      a: e.amountCents,
      q: e.quantity ?? null,
      u: e.unitCents ?? null,
      d: e.description.trim(),
      x: e.details ? JSON.stringify(e.details) : null,
    }))
  )
  const source = `json_to_recordset(?::json) AS s(o int, k text, p int, e int, a bigint, q text, u bigint, d text, x text)`

  // One statement: the charges inserted (a key already posted is left as it is), the batch's audit
  // row (ledger_service.ts, chargeBatchAudit: who, the run, how many, the total, the id range), the
  // check that a key already posted carries the same payer, kind and amount (otherwise the batch is
  // refused, as postEntry refuses it), and, per payer, the total of its charges for this service and
  // period not yet asked for by a position, with the ids of those that do not name one: the charges
  // this statement inserted (from RETURNING) and those posted before it (a repeated run's, and the
  // plugin's own through ctx.ledger.postCharge), which the statement's SELECTs see as the ledger was
  // before it. The check looks up only the keys the insert skipped: a first run probes nothing.
  // RETURNING names only the columns read (a whole row each was measurably slower).
  const payerIds = input.payers.map((p) => p.payerUserId)
  const charges = rows(
    await trx.rawQuery(
      `WITH s AS MATERIALIZED (SELECT * FROM ${source}),
       ins AS (
         INSERT INTO ledger_entries (tenant_id, entry_key, kind, payer_user_id, enrolment_id, service, period, amount_cents,
                                     quantity, unit_cents, description, details, actor_label, created_at, position_id)
         SELECT ?, s.k, 'charge', s.p, s.e, ?, ?, s.a, s.q, s.u, s.d, s.x, ?, ?::timestamptz, s.o FROM s
         ON CONFLICT (tenant_id, entry_key) DO NOTHING
         RETURNING id, entry_key, payer_user_id, amount_cents, position_id),
       audit AS (
         INSERT INTO audit_logs (tenant_id, actor_user_id, actor_label, action, entity, entity_id, before, after, created_at)
         SELECT ?, NULLIF(?::int, 0), ?, '${CHARGE_BATCH_ACTION}', 'ledger_entries', ?, NULL,
                json_build_object('runId', ?::int, 'startedByUserId', NULLIF(?::int, 0), 'service', ?::text, 'period', ?::text,
                  'charges', count(*), 'totalCents', sum(amount_cents), 'firstEntryId', min(id), 'lastEntryId', max(id)),
                ?::timestamptz
         FROM ins HAVING count(*) > 0),
       skipped AS (SELECT s.* FROM s WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.entry_key = s.k)),
       conflict AS (
         SELECT skipped.k FROM skipped JOIN ledger_entries l ON l.tenant_id = ? AND l.entry_key = skipped.k
         WHERE l.kind <> 'charge' OR l.payer_user_id <> skipped.p OR l.amount_cents <> skipped.a LIMIT 1),
       charged AS (
         SELECT id, payer_user_id AS payer, amount_cents AS cents, position_id AS pos FROM ins
         UNION ALL SELECT e.id, e.payer_user_id, e.amount_cents, NULL
           FROM ledger_entries e LEFT JOIN payment_position_items i ON i.entry_id = e.id
           WHERE e.tenant_id = ? AND e.payer_user_id = ANY(?::int[]) AND e.service = ? AND e.period = ? AND e.kind = 'charge'
             AND e.position_id IS NULL AND i.id IS NULL)
       SELECT k, NULL::int AS payer, NULL::bigint AS cents, NULL::bigint[] AS unlinked FROM conflict
       UNION ALL SELECT NULL, payer, sum(cents), array_agg(id ORDER BY id) FILTER (WHERE pos IS NULL)
         FROM charged GROUP BY payer`,
      [
        JSON.stringify(lines),
        tenant.id,
        run.service,
        run.period,
        actorLabel,
        now,
        tenant.id,
        actorUserId,
        actorLabel,
        chargeBatchEntityId(run.id),
        run.id,
        run.startedByUserId ?? 0,
        run.service,
        run.period,
        now,
        tenant.id,
        tenant.id,
        payerIds,
        run.service,
        run.period,
      ]
    )
  )
  const conflict = charges.find((row) => row.k !== null && row.k !== undefined)
  if (conflict) throw new LedgerKeyConflictError(String(conflict.k))
  // One row per payer (summed in the statement): what it owes, and its charges that name no position
  // yet (posted before this statement, or new ones of a payer whose lines add up to zero): those get an item.
  const unlinkedOf = new Map<number, number[]>()
  const totals = new Map<number, number>()
  for (const row of charges) {
    const payer = Number(row.payer)
    totals.set(payer, Number(row.cents))
    if (Array.isArray(row.unlinked) && row.unlinked.length > 0) unlinkedOf.set(payer, row.unlinked.map(Number))
  }
  clock.mark('charges, their audit, the unbilled read')
  const owing: number[] = []
  for (const id of payerIds) {
    if ((totals.get(id) ?? 0) > 0) owing.push(id)
    else
      input.notes.push({
        payerUserId: id,
        message: { it: 'Nulla da pagare nel periodo', en: 'Nothing to pay in the period' },
      })
  }
  if (owing.length === 0) return []

  // A payer who owes only through charges posted before (its lines add up to zero) gets its id now.
  const late = owing.filter((payer) => !positionOf.has(payer))
  const lateIds = await reservePositionIds(trx, late.length)
  late.forEach((payer, k) => positionOf.set(payer, lateIds[k]))
  const items = owing.flatMap((payer) =>
    (unlinkedOf.get(payer) ?? []).map((entry) => ({ p: positionOf.get(payer)!, e: entry }))
  )
  if (items.length > 0) {
    await trx.rawQuery(
      `INSERT INTO payment_position_items (tenant_id, position_id, entry_id)
       SELECT ?, s.p, s.e FROM json_to_recordset(?::json) AS s(p int, e bigint)`,
      [tenant.id, JSON.stringify(items)]
    )
  }
  clock.mark('items of charges posted before')

  const numbers = await nextNoticeNumbers(trx, tenant.id, input.pagopa.segregationCode, owing.length)
  clock.mark('notice numbers (waiting for the lock)')
  const positions = owing.map((payer, k) => ({
    id: positionOf.get(payer)!,
    p: payer,
    a: totals.get(payer)!,
    iupd: `${input.pagopa.fiscalCode}-${run.service}-${numbers[k].iuv}`.slice(0, 140),
    iuv: numbers[k].iuv,
    nav: numbers[k].nav,
  }))
  const written = rows(
    await trx.rawQuery(
      `WITH ins AS (
         INSERT INTO payment_positions (id, tenant_id, run_id, payer_user_id, service, period, iupd, iuv, nav, amount_cents,
                                        paid_cents, due_date, status, notice_channel, paid_at, psp, created_at, updated_at)
         SELECT s.id, ?, ?, s.p, ?, ?, s.iupd, s.iuv, s.nav, s.a, 0, ?, 'pending', NULL, NULL, NULL, ?::timestamptz, ?::timestamptz
         FROM json_to_recordset(?::json) AS s(id int, p int, a bigint, iupd text, iuv text, nav text)
         RETURNING id, iuv, amount_cents),
       audit AS (
         INSERT INTO audit_logs (tenant_id, actor_user_id, actor_label, action, entity, entity_id, before, after, created_at)
         SELECT ?, NULLIF(?::int, 0), ?, '${POSITION_BATCH_ACTION}', 'payment_positions', ?, NULL,
                json_build_object('runId', ?::int, 'startedByUserId', NULLIF(?::int, 0), 'service', ?::text, 'period', ?::text,
                  'positions', count(*), 'totalCents', sum(amount_cents), 'firstPositionId', min(id), 'lastPositionId', max(id)),
                ?::timestamptz
         FROM ins HAVING count(*) > 0)
       SELECT id, iuv FROM ins ORDER BY id`,
      [
        tenant.id,
        run.id,
        run.service,
        run.period,
        run.dueDate,
        now,
        now,
        JSON.stringify(positions),
        tenant.id,
        actorUserId,
        actorLabel,
        positionBatchEntityId(run.id),
        run.id,
        run.startedByUserId ?? 0,
        run.service,
        run.period,
        now,
      ]
    )
  )
  clock.mark('positions and their audit')
  return written.map((r) => ({ id: Number(r.id), iuv: String(r.iuv) }))
}

/** `count` ids of the positions' sequence, ascending: a sequence hands them out without waiting on anyone. */
async function reservePositionIds(trx: TransactionClientContract, count: number): Promise<number[]> {
  if (count === 0) return []
  const reserved = await trx.rawQuery(
    `SELECT nextval(pg_get_serial_sequence('payment_positions', 'id')) AS id FROM generate_series(1, ?::int)`,
    [count]
  )
  return rows(reserved)
    .map((row) => Number(row.id))
    .sort((a, b) => a - b)
}

function rows(result: unknown): Array<Record<string, unknown>> {
  return ((result as { rows?: Array<Record<string, unknown>> }).rows ?? []) as Array<Record<string, unknown>>
}
