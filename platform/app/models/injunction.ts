import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'
import { centsColumn } from '#models/ledger_entry'

/**
 * issuing: recorded; its job replaces the positions on GPD, then protocols and sends it.
 * issued: protocolled and sent. paid: its position is paid (or every position demanded was paid
 * before it could be replaced).
 */
export type InjunctionStatus = 'issuing' | 'issued' | 'paid'

export interface InjunctionPosition {
  id: number
  iupd: string
  nav: string
  service: string
  period: string
  owed_cents: number
}

/** A payment injunction (ingiunzione di pagamento, services/billing/injunctions.ts). Audited. */
export default class Injunction extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'injunctions'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare year: number

  @column()
  declare number: number

  @column()
  declare payerUserId: number

  @column()
  declare status: InjunctionStatus

  @column(jsonColumn)
  declare positions: InjunctionPosition[]

  @column(centsColumn)
  declare owedCents: number

  @column()
  declare dueDate: string

  @column()
  declare protocolNumber: number | null

  @column()
  declare protocolYear: number | null

  @column()
  declare protocolDate: string | null

  @column()
  declare protocolLabel: string | null

  @column()
  declare issuedBy: number | null

  @column({ consume: (value: unknown) => (value === null || value === undefined ? null : Number(value)) })
  declare collectionRecordId: number | null

  /** The pagoPA position that replaces the positions demanded: one notice for the total. */
  @column({ consume: (value: unknown) => (value === null || value === undefined ? null : Number(value)) })
  declare positionId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  /** "2026/000012": the year and the number within it. */
  get label() {
    return `${this.year}/${String(this.number).padStart(6, '0')}`
  }
}
