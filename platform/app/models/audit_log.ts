import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { column, jsonColumn } from '#models/columns'

/** One audited write. Rows are appended by audit_service, never edited. */
export default class AuditLog extends compose(BaseModel, TenantScoped) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare actorUserId: number | null

  @column()
  declare actorLabel: string

  @column()
  declare action: string

  @column()
  declare entity: string

  @column()
  declare entityId: string

  @column(jsonColumn)
  declare before: Record<string, unknown> | null

  @column(jsonColumn)
  declare after: Record<string, unknown> | null

  @column.dateTime()
  declare createdAt: DateTime
}
