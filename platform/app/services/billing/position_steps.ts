import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { writeAudit } from '#services/infrastructure/audit_service'

/**
 * The steps of a position after its creation, each recorded once (unique position + step):
 * published (on GPD), notified (its notice sent), paid, partially_paid, reminder, letter, cancelled.
 * Recording a step that is already there does nothing and answers false, so the step's follow-up
 * job, written in the same transaction, is written once.
 */
export type PositionStep = 'published' | 'notified' | 'partially_paid' | 'paid' | 'reminder' | 'letter' | 'cancelled'

function rowsOf(result: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(result)) return result as Array<Record<string, unknown>>
  return ((result as { rows?: Array<Record<string, unknown>> }).rows ?? []) as Array<Record<string, unknown>>
}

export async function recordStep(
  trx: TransactionClientContract,
  tenantId: number,
  positionId: number,
  step: PositionStep,
  details: Record<string, unknown> | null = null
): Promise<boolean> {
  const now = DateTime.now().toFormat(trx.dialect.dateTimeFormat)
  const result = await trx.rawQuery(
    'INSERT INTO payment_position_steps (tenant_id, position_id, step, details, created_at) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (position_id, step) DO NOTHING RETURNING id',
    [tenantId, positionId, step, JSON.stringify(details), now]
  )
  const [row] = rowsOf(result)
  if (!row) return false
  await writeAudit(trx, {
    tenantId,
    action: 'create',
    entity: 'payment_position_steps',
    entityId: String(row.id),
    after: { position_id: positionId, step, details },
  })
  return true
}

export interface StepView {
  step: PositionStep
  at: string
  details: Record<string, unknown> | null
}

/** The steps of some positions (of the current tenant: the caller passes ids it already scoped). */
export async function stepsOf(positionIds: number[]): Promise<Map<number, StepView[]>> {
  const out = new Map<number, StepView[]>()
  for (let i = 0; i < positionIds.length; i += 500) {
    const rows = await db
      .from('payment_position_steps')
      .whereIn('position_id', positionIds.slice(i, i + 500))
      .orderBy('id')
    for (const row of rows) {
      const list = out.get(Number(row.position_id)) ?? []
      const at = row.created_at instanceof Date ? row.created_at.toISOString() : String(row.created_at)
      list.push({
        step: row.step,
        at,
        details: typeof row.details === 'string' ? JSON.parse(row.details) : (row.details ?? null),
      })
      out.set(Number(row.position_id), list)
    }
  }
  return out
}
