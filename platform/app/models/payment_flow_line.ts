import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'
import { centsColumn } from '#models/ledger_entry'
import type { LineOutcome } from '#integrations/pagopa/reconciliation'

/** One line of a reconciled flow: the transfer it reports, what became of it and why. */
export default class PaymentFlowLine extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'payment_flow_lines'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare flowRowId: number

  @column()
  declare lineIndex: number

  @column()
  declare iuv: string

  @column()
  declare iur: string

  @column()
  declare idTransfer: string

  @column(centsColumn)
  declare amountCents: number

  @column()
  declare payStatus: string

  @column()
  declare payDate: string

  @column()
  declare outcome: LineOutcome

  @column(centsColumn)
  declare differenceCents: number

  @column()
  declare positionId: number | null

  @column(jsonColumn)
  declare reason: { it: string; en: string }

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
