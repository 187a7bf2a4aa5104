import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'
import { centsColumn } from '#models/ledger_entry'

export type BillingRunStatus = 'collecting' | 'collected' | 'failed'

export interface BillingRunNote {
  enrolmentId?: number
  payerUserId?: number
  message: { it: string; en: string }
}

/** One post-paid billing run of a service for a period (services/billing/billing_run.ts). Audited. */
export default class BillingRun extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'billing_runs'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare service: string

  @column()
  declare period: string

  @column()
  declare status: BillingRunStatus

  /** Paying persons with charges in the period (known once collected). */
  @column()
  declare payers: number | null

  @column()
  declare charges: number

  @column(centsColumn)
  declare totalCents: number

  @column()
  declare dueDate: string

  @column(jsonColumn)
  declare notes: BillingRunNote[] | null

  @column()
  declare error: string | null

  @column()
  declare startedByUserId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
