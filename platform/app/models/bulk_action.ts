import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { column } from '#models/columns'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'

export const BULK_ACTION_KINDS = ['accept'] as const
export type BulkActionKind = (typeof BULK_ACTION_KINDS)[number]
export type BulkActionStatus = 'queued' | 'running' | 'done'

/**
 * A back-office action on a selection (app/services/submissions/bulk_accept.ts): the request, written with
 * its items and its job in one transaction. Audited: who asked what, and when it ended.
 */
export default class BulkAction extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'bulk_actions'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare kind: BulkActionKind

  @column()
  declare status: BulkActionStatus

  @column()
  declare total: number

  @column()
  declare requestedByUserId: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @column.dateTime()
  declare finishedAt: DateTime | null
}
