import AuditLog from '#models/audit_log'
import LedgerEntry from '#models/ledger_entry'
import PaymentPosition from '#models/payment_position'
import { CHARGE_BATCH_ACTION, chargeBatchEntityId } from '#services/billing/ledger_service'

/**
 * The positions of a monthly run are audited per batch, as its charges are (ledger_service.ts,
 * CHARGE_BATCH_ACTION): one row per batch of the run instead of one per position, which repeated
 * what the position's row itself holds. The batch's row: action `create_batch`, entity
 * `payment_positions`, entity id `run:<run id>`, and after it `{ runId, startedByUserId, service,
 * period, positions, totalCents, firstPositionId, lastPositionId }`; the actor is who wrote the batch
 * (the run's job), `startedByUserId` who started the run. Every position of a run carries its run
 * (`run_id`), so who created a position is found from the position: the run's batch rows, the one
 * whose id range holds it (`positionCreationAudit`). Later changes of a position are audited per row.
 */
export const POSITION_BATCH_ACTION = CHARGE_BATCH_ACTION
export const positionBatchEntityId = chargeBatchEntityId

export interface PositionBatchAudit {
  runId: number
  startedByUserId: number | null
  service: string
  period: string
  positions: number
  totalCents: number
  firstPositionId: number
  lastPositionId: number
}

/**
 * The batch rows of a run that created a record: those of `entity` whose id range (`first`..`last`
 * in their `after`) holds the record's id. At most one in practice; on PostgreSQL a batch's range
 * may hold ids another transaction took meanwhile, which carry another run or none.
 */
async function batchRowsHolding(
  entity: string,
  runId: number,
  range: { first: string; last: string },
  recordId: number
): Promise<number[]> {
  // A run has one row per batch: at most a few hundred.
  const rows = await AuditLog.query()
    .where('entity', entity)
    .where('entity_id', chargeBatchEntityId(runId))
    .where('action', CHARGE_BATCH_ACTION)
    .select('id', 'after')
    .limit(1000)
  return rows
    .filter((row) => {
      const after = (row.after ?? {}) as Record<string, unknown>
      return Number(after[range.first]) <= recordId && recordId <= Number(after[range.last])
    })
    .map((row) => row.id)
}

/** The audit rows that record the creation of a charge written in a run's batch: empty for one audited on its own. */
export async function chargeCreationAudit(entryId: number): Promise<number[]> {
  const entry = await LedgerEntry.find(entryId)
  const runId = Number(entry?.details?.run)
  if (!entry || !Number.isSafeInteger(runId)) return []
  return batchRowsHolding('ledger_entries', runId, { first: 'firstEntryId', last: 'lastEntryId' }, entryId)
}

/** The audit rows that record the creation of a position written in a run's batch: empty for one of no run. */
export async function positionCreationAudit(positionId: number): Promise<number[]> {
  const position = await PaymentPosition.find(positionId)
  if (!position || position.runId === null) return []
  return batchRowsHolding(
    'payment_positions',
    position.runId,
    { first: 'firstPositionId', last: 'lastPositionId' },
    positionId
  )
}

/**
 * Billing's records audited per batch, by table: given a record's id, the batch rows that created it.
 * The audit viewer (infrastructure/audit_query.ts) is handed these at start (sportello_provider.ts).
 */
export const billingBatchAudits: Record<string, (id: number) => Promise<number[]>> = {
  ledger_entries: chargeCreationAudit,
  payment_positions: positionCreationAudit,
}
