import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'
import { centsColumn } from '#models/ledger_entry'

/** An arrears letter sent, with its outgoing protocol number (services/billing/arrears.ts). Audited. */
export default class ArrearsLetter extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'arrears_letters'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare positionId: number

  @column()
  declare payerUserId: number

  @column()
  declare protocolNumber: number

  @column()
  declare protocolYear: number

  @column()
  declare protocolDate: string

  @column()
  declare protocolLabel: string

  /** The positions the letter lists, each with what it still asked for when the letter went. */
  @column(jsonColumn)
  declare positions: Array<{ id: number; owed_cents: number }>

  @column(centsColumn)
  declare owedCents: number

  @column()
  declare channel: string | null

  @column()
  declare sentMonth: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
