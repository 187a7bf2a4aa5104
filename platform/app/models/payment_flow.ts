import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { booleanColumn, column, jsonColumn } from '#models/columns'
import { centsColumn } from '#models/ledger_entry'

export type FlowSummary = Record<string, { count: number; amount: number }>

/** A reporting flow (FdR) the ledger reconciled, once per flow id and revision (services/billing/flow_reconcile.ts). */
export default class PaymentFlow extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'payment_flows'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare flowId: string

  @column()
  declare revision: number

  @column()
  declare pspId: string

  @column()
  declare pspName: string | null

  @column()
  declare flowDate: string

  @column()
  declare regulation: string

  @column()
  declare regulationDate: string

  @column()
  declare declaredCount: number

  @column(centsColumn)
  declare declaredSumCents: number

  @column()
  declare computedCount: number

  @column(centsColumn)
  declare computedSumCents: number

  @column(booleanColumn)
  declare totalsOk: boolean

  @column(jsonColumn)
  declare problems: Array<{ it: string; en: string }> | null

  @column(jsonColumn)
  declare summary: FlowSummary

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
