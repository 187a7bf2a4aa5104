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

/** The key from an item to its position, deferrable on PostgreSQL (migration 0041). */
const POSITION_ITEMS_KEY = 'payment_position_items_tenant_position_foreign'

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
export async function billBatchOnPostgres(
  trx: TransactionClientContract,
  input: {
    run: BillingRun
    tenant: Tenant
    payers: Array<{ payerUserId: number; entries: NewLedgerEntry[] }>
    pagopa: PagopaSettings
    notes: BillingRunNote[]
    clock?: ReturnType<typeof phaseClock>
  }
): Promise<Array<{ id: number; iuv: string }>> {
  const { run, tenant } = input
  const clock = input.clock ?? phaseClock()
  const actor = RequestContext.actor()
  const actorLabel = (actor?.label ?? 'anonimo').slice(0, 200)
  // 0 stands for none (NULLIF in the statements): no user id is 0.
  const actorUserId = actor?.userId ?? 0
  const now = DateTime.now().toISO()
  const lines = input.payers.flatMap((payer) =>
    payer.entries.map((e) => ({
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
  const source = `json_to_recordset(?::json) AS s(k text, p int, e int, a bigint, q text, u bigint, d text, x text)`

  // One statement: the charges inserted (a key already posted is left as it is), the batch's audit
  // row (ledger_service.ts, chargeBatchAudit: who, the run, how many, the total, the id range), the
  // check that a key already posted carries the same payer, kind and amount (otherwise the batch is
  // refused, as postEntry refuses it), and every charge of these payers for this service and period
  // not yet asked for by a position: the ones this statement inserted (from RETURNING) and those
  // posted before it (a repeated run's, and the plugin's own through ctx.ledger.postCharge), which the
  // statement's SELECTs see as the ledger was before it. The check looks up only the keys the insert
  // skipped: a first run probes nothing. RETURNING names only the columns read (a whole row each was
  // measurably slower).
  const payerIds = input.payers.map((p) => p.payerUserId)
  const charges = rows(
    await trx.rawQuery(
      `WITH s AS MATERIALIZED (SELECT * FROM ${source}),
       ins AS (
         INSERT INTO ledger_entries (tenant_id, entry_key, kind, payer_user_id, enrolment_id, service, period, amount_cents,
                                     quantity, unit_cents, description, details, actor_label, created_at)
         SELECT ?, s.k, 'charge', s.p, s.e, ?, ?, s.a, s.q, s.u, s.d, s.x, ?, ?::timestamptz FROM s
         ON CONFLICT (tenant_id, entry_key) DO NOTHING
         RETURNING id, entry_key, payer_user_id, amount_cents),
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
         WHERE l.kind <> 'charge' OR l.payer_user_id <> skipped.p OR l.amount_cents <> skipped.a LIMIT 1)
       SELECT k, NULL::bigint AS id, NULL::int AS payer, NULL::bigint AS cents FROM conflict
       UNION ALL SELECT NULL, id, payer_user_id, amount_cents FROM ins
       UNION ALL SELECT NULL, e.id, e.payer_user_id, e.amount_cents
         FROM ledger_entries e LEFT JOIN payment_position_items i ON i.entry_id = e.id
         WHERE e.tenant_id = ? AND e.payer_user_id = ANY(?::int[]) AND e.service = ? AND e.period = ? AND e.kind = 'charge'
           AND i.id IS NULL
       ORDER BY id`,
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
  const unbilledOf = new Map<number, number[]>()
  const totals = new Map<number, number>()
  for (const row of charges) {
    const payer = Number(row.payer)
    totals.set(payer, (totals.get(payer) ?? 0) + Number(row.cents))
    const list = unbilledOf.get(payer)
    if (list) list.push(Number(row.id))
    else unbilledOf.set(payer, [Number(row.id)])
  }
  clock.mark('charges, their audit, the unbilled read')
  const owing = payerIds.filter((id) => (totals.get(id) ?? 0) > 0)
  for (const id of payerIds) {
    if ((totals.get(id) ?? 0) > 0) continue
    input.notes.push({
      payerUserId: id,
      message: { it: 'Nulla da pagare nel periodo', en: 'Nothing to pay in the period' },
    })
  }
  if (owing.length === 0) return []

  // The positions' ids are reserved now (a sequence takes no lock a concurrent batch waits on), so
  // that their items are written before the positions: the key from an item to its position is
  // checked once the positions are written (migration 0041). What the notice sequence's lock is held
  // for, from the numbers to the commit, is then only the positions, that check and their jobs.
  await trx.rawQuery(`SET CONSTRAINTS ${POSITION_ITEMS_KEY} DEFERRED`)
  const ids = rows(
    await trx.rawQuery(
      `SELECT nextval(pg_get_serial_sequence('payment_positions', 'id')) AS id FROM generate_series(1, ?::int)`,
      [owing.length]
    )
  )
    .map((row) => Number(row.id))
    .sort((a, b) => a - b)
  const items = owing.flatMap((payer, k) => (unbilledOf.get(payer) ?? []).map((entry) => ({ p: ids[k], e: entry })))
  await trx.rawQuery(
    `INSERT INTO payment_position_items (tenant_id, position_id, entry_id)
     SELECT ?, s.p, s.e FROM json_to_recordset(?::json) AS s(p int, e bigint)`,
    [tenant.id, JSON.stringify(items)]
  )
  clock.mark('position ids and items')

  const numbers = await nextNoticeNumbers(trx, tenant.id, input.pagopa.segregationCode, owing.length)
  clock.mark('notice numbers (waiting for the lock)')
  const positions = owing.map((payer, k) => ({
    id: ids[k],
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
  // The items' key is checked now, for the whole batch at once, and is immediate again for whatever
  // else this transaction writes (SET CONSTRAINTS holds to the end of the outermost transaction, and
  // a caller may run the batch inside one of its own).
  await trx.rawQuery(`SET CONSTRAINTS ${POSITION_ITEMS_KEY} IMMEDIATE`)
  clock.mark('positions and their audit')
  return written.map((r) => ({ id: Number(r.id), iuv: String(r.iuv) }))
}

function rows(result: unknown): Array<Record<string, unknown>> {
  return ((result as { rows?: Array<Record<string, unknown>> }).rows ?? []) as Array<Record<string, unknown>>
}
