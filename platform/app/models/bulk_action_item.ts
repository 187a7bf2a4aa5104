import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { column, jsonColumn } from '#models/columns'
import type { Lang } from '#forms/types'

export type BulkItemStatus = 'pending' | 'done' | 'failed'

/**
 * One item of a bulk action and its outcome. Not audited itself: it is created with its audited
 * action, and its outcome is written in the transaction of the audited change it made (the
 * submission's new status), or records that nothing changed.
 */
export default class BulkActionItem extends compose(BaseModel, TenantScoped) {
  static table = 'bulk_action_items'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare bulkActionId: number

  @column()
  declare submissionId: number

  @column()
  declare status: BulkItemStatus

  /** Why it failed, worded for the operator in both languages (no personal data). */
  @column(jsonColumn)
  declare error: Record<Lang, string> | null

  @column.dateTime()
  declare finishedAt: DateTime | null
}
