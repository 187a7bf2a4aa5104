import type { NormalizeConstructor } from '@adonisjs/core/types/helpers'
import { BaseModel, afterCreate, afterDelete, afterUpdate, beforeUpdate } from '@adonisjs/lucid/orm'
import type { LucidRow } from '@adonisjs/lucid/types/model'
import { recordAudit, writeAudits } from '#services/infrastructure/audit_service'
import { currentDataCipher } from '#services/infrastructure/data_cipher'
import type { AtRestMeta } from '#models/columns'

/**
 * Every write of an audited model leaves a row in audit_logs: who, when,
 * tenant, entity, and the change (before/after). Of the columns encrypted at
 * rest (data_at_rest.ts), personal identifiers are kept encrypted with the same
 * key ring, so an auditor with the key reads who was changed; special
 * categories and ISEE appear only as "[cifrato]", so the log never becomes a
 * second copy of them. Blind indexes are left out: they say nothing more.
 */
export function Audited<T extends NormalizeConstructor<typeof BaseModel>>(superclass: T) {
  class AuditedModel extends superclass {
    declare $auditBefore?: Record<string, unknown>

    @afterCreate()
    static async auditCreate(row: AuditedModel) {
      await recordAudit(row, 'create', null, snapshot(row, Object.keys(row.$attributes)))
    }

    @beforeUpdate()
    static captureBefore(row: AuditedModel) {
      const changed = Object.keys(row.$dirty)
      row.$auditBefore = snapshot(row, changed, row.$original)
    }

    @afterUpdate()
    static async auditUpdate(row: AuditedModel) {
      const before = row.$auditBefore ?? {}
      await recordAudit(row, 'update', before, snapshot(row, Object.keys(before)))
      row.$auditBefore = undefined
    }

    @afterDelete()
    static async auditDelete(row: AuditedModel) {
      await recordAudit(row, 'delete', snapshot(row, Object.keys(row.$attributes)), null)
    }
  }
  return AuditedModel
}

/**
 * The audit rows of rows just created together by one multi-row insert (PluginModel.createAll), in
 * multi-row inserts too: each the snapshot its own `create` would have written.
 */
export async function auditCreations(client: Parameters<typeof writeAudits>[0], rows: LucidRow[]) {
  await writeAudits(
    client,
    rows.map((row) => {
      const model = row.constructor as unknown as { table: string }
      return {
        tenantId: (row as unknown as { tenantId?: number }).tenantId ?? null,
        action: 'create',
        entity: model.table,
        entityId: String(row.$primaryKeyValue ?? ''),
        after: snapshot(row, Object.keys(row.$attributes)),
      }
    })
  )
}

const HIDDEN = new Set(['password'])

function snapshot(row: LucidRow, keys: string[], source: Record<string, unknown> = row.$attributes) {
  const model = row.constructor as unknown as {
    $getColumn(key: string): { meta?: AtRestMeta } | undefined
  }
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    const meta = model.$getColumn(key)?.meta
    if (HIDDEN.has(key)) out[key] = '[nascosto]'
    else if (meta?.blindIndex) continue
    else if (meta?.encrypted === 'special') out[key] = '[cifrato]'
    else if (meta?.encrypted === 'identifier') {
      const value = source[key]
      out[key] = value === undefined || value === null ? null : currentDataCipher().encrypt(value)
    } else out[key] = source[key]
  }
  return out
}
