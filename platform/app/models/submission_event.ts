import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { column, identifierColumn } from '#models/columns'
import type { SubmissionStatus } from '#shared/contract'

/**
 * One step of a submission's status history, shown to the citizen. Not
 * audited itself: it is written together with the audited status change.
 */
export default class SubmissionEvent extends compose(BaseModel, TenantScoped) {
  static table = 'submission_events'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare submissionId: number

  @column()
  declare fromStatus: SubmissionStatus | null

  @column()
  declare toStatus: SubmissionStatus

  /** Encrypted at rest: an operator's free text about the person. */
  @column(identifierColumn)
  declare reason: string | null

  @column()
  declare userId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
