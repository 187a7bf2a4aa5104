import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { LucidRow } from '@adonisjs/lucid/types/model'
import { RequestContext } from '#services/infrastructure/request_context'
import { DataCipher, currentDataCipher } from '#services/infrastructure/data_cipher'
import { auditedIdentifiers } from '#models/data_at_rest'

export type AuditAction = 'create' | 'update' | 'delete' | string

/**
 * Writes one audit row in the same transaction as the change it records, so
 * a rolled-back write leaves no audit and a committed one always has it.
 */
export async function recordAudit(
  row: LucidRow,
  action: AuditAction,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null
) {
  const model = row.constructor as unknown as { table: string }
  const rowTenant = (row as unknown as { tenantId?: number }).tenantId
  const tenantId = model.table === 'tenants' ? (row.$primaryKeyValue as number) : rowTenant
  const client = row.$trx ?? db.connection(row.$options?.connection)
  await writeAudit(client, {
    tenantId: tenantId ?? RequestContext.tenant()?.id ?? null,
    action,
    entity: model.table,
    entityId: String(row.$primaryKeyValue ?? ''),
    before,
    after,
  })
}

/** For audited events that are not a model write (login, plugin enable, publish). */
export async function writeAudit(
  client: {
    dialect: { dateTimeFormat: string }
    insertQuery(): { table(name: string): { insert(values: object): Promise<unknown> } }
  },
  entry: {
    tenantId: number | null
    action: AuditAction
    entity: string
    entityId: string
    before?: unknown
    after?: unknown
  }
) {
  const actor = RequestContext.actor()
  await client
    .insertQuery()
    .table('audit_logs')
    .insert({
      tenant_id: entry.tenantId,
      actor_user_id: actor?.userId ?? null,
      actor_label: actor?.label ?? 'anonimo',
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      before: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
      after: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
      // Formatted as Lucid itself writes timestamps on this engine, so models read it back.
      created_at: DateTime.now().toFormat(client.dialect.dateTimeFormat),
    })
}

/**
 * An audit snapshot as a tenant admin reads it: the identifiers it holds encrypted (see
 * audited.ts and data_at_rest.ts) decrypted. A value whose key has left the ring is shown as such,
 * not as an error.
 */
export function readableAuditValues(
  entity: string,
  values: Record<string, unknown> | null
): Record<string, unknown> | null {
  if (!values || typeof values !== 'object') return values
  const identifiers = auditedIdentifiers(entity)
  if (identifiers.size === 0) return values
  const cipher = currentDataCipher()
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) {
    if (!identifiers.has(key) || !DataCipher.isEncrypted(value)) out[key] = value
    else {
      try {
        out[key] = cipher.decrypt(value)
      } catch {
        out[key] = '[non decifrabile / cannot be decrypted]'
      }
    }
  }
  return out
}
