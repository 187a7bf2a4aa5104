import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ModelAttributes } from '@adonisjs/lucid/types/model'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited, auditCreations } from '#models/mixins/audited'
import { booleanColumn, encryptedColumn, jsonColumn } from '#models/columns'

/**
 * The base of every plugin model: the platform's own tenant scoping (every query filtered by the
 * tenant in context, failing closed without one; new rows get that tenant) and audit (every write
 * leaves who, when and what changed). A plugin's table needs `tenant_id` (see `PluginSchema`).
 */
export class PluginModel extends compose(BaseModel, TenantScoped, Audited) {
  /**
   * Creates these rows in the caller's transaction as `create` would (the model's before-create
   * and before-save hooks, so each gets the tenant in context; timestamps; columns prepared, so
   * encrypted ones are encrypted; an audit row each), but in multi-row inserts of up to 200 rows
   * and their audit rows in multi-row inserts too: a statement per 200 rows instead of two per row
   * (`createMany`), for a day's writes at once. The rows come back with their ids, in the order
   * given. After-create hooks other than the audit's are not run: a model that needs them uses
   * `create`.
   */
  static async createAll<T extends typeof PluginModel>(
    this: T,
    values: Array<Partial<ModelAttributes<InstanceType<T>>>>,
    options: { client: TransactionClientContract }
  ): Promise<Array<InstanceType<T>>> {
    const rows: Array<InstanceType<T>> = []
    const prepared: Array<Record<string, unknown>> = []
    for (const value of values) {
      const row = new this() as InstanceType<T>
      row.merge(value)
      row.useTransaction(options.client)
      await this.$hooks.runner('before:create').run(row)
      await this.$hooks.runner('before:save').run(row)
      const attributes = row.$attributes as Record<string, unknown>
      this.$columnsDefinitions.forEach((column, name) => {
        const type = column.meta?.type
        if (
          (type === 'datetime' || type === 'date') &&
          !attributes[name] &&
          (column.meta.autoCreate || column.meta.autoUpdate)
        ) {
          attributes[name] = DateTime.local()
        }
      })
      const out: Record<string, unknown> = {}
      for (const [name, attribute] of Object.entries(attributes)) {
        const column = this.$getColumn(name)!
        out[column.columnName] = column.prepare ? column.prepare(attribute, name, row) : attribute
      }
      rows.push(row)
      prepared.push(out)
    }
    const key = this.$getColumn(this.primaryKey)!.columnName
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = prepared.slice(i, i + 200)
      // Knex's own builder: it reads RETURNING back on SQLite (better-sqlite3) as on PostgreSQL.
      const ids = (await options.client.knexQuery().table(this.table).insert(chunk).returning(key)) as Array<
        Record<string, unknown>
      >
      if (ids.length !== chunk.length) {
        throw new Error(`${this.name}.createAll: ${chunk.length} rows written, ${ids.length} ids read back`)
      }
      ids.forEach((result, j) => {
        const row = rows[i + j]
        row.$consumeAdapterResult({ [key]: result[key] })
        row.$hydrateOriginals()
        row.$isPersisted = true
      })
    }
    await auditCreations(options.client, rows)
    return rows
  }
}

/**
 * Column options that store values the same way on SQLite and PostgreSQL:
 * `@column(columns.json)`, `@column(columns.boolean)`, and `@column(columns.encrypted)` for
 * health, disability and ISEE data (AES-256-GCM at rest; the audit log shows only that it changed).
 */
export const columns = {
  json: jsonColumn,
  boolean: booleanColumn,
  encrypted: encryptedColumn,
} as const
