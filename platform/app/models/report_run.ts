import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'

export const REPORT_RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'expired'] as const
export type ReportRunStatus = (typeof REPORT_RUN_STATUSES)[number]

/**
 * A report produced in the background (app/reports/report_jobs.ts). Its creation and each change
 * of status are audited (an export of data is worth knowing about); the progress counter moves
 * by plain updates, not audited.
 */
export default class ReportRun extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'report_runs'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare reportId: string

  @column()
  declare format: 'xlsx' | 'csv'

  @column(jsonColumn)
  declare params: Record<string, unknown>

  @column()
  declare lang: 'it' | 'en'

  @column()
  declare status: ReportRunStatus

  @column()
  declare done: number

  @column()
  declare total: number | null

  @column()
  declare filePath: string | null

  @column({ consume: (value: unknown) => (value === null || value === undefined ? null : Number(value)) })
  declare fileSize: number | null

  @column()
  declare error: string | null

  @column()
  declare requestedByUserId: number

  @column.dateTime()
  declare finishedAt: DateTime | null

  @column.dateTime()
  declare expiresAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
