import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { booleanColumn, encryptedColumn, jsonColumn } from '#models/columns'

/**
 * The base of every plugin model: the platform's own tenant scoping (every query filtered by the
 * tenant in context, failing closed without one; new rows get that tenant) and audit (every write
 * leaves who, when and what changed). A plugin's table needs `tenant_id` (see `PluginSchema`).
 */
export class PluginModel extends compose(BaseModel, TenantScoped, Audited) {}

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
