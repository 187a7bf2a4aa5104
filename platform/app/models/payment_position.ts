import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { column } from '#models/columns'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { centsColumn } from '#models/ledger_entry'

export const POSITION_STATUSES = ['pending', 'published', 'partially_paid', 'paid', 'cancelled'] as const
export type PositionStatus = (typeof POSITION_STATUSES)[number]
/** Positions that still ask for money: reminders and letters are only for these. */
export const OPEN_POSITION_STATUSES: PositionStatus[] = ['published', 'partially_paid']

/**
 * The pagoPA debt position of one paying person for one billing run: its IUPD, IUV and NAV (the
 * notice number, from the tenant's gap-free sequence, taken in the transaction that wrote the row),
 * the amount of the charges it asks for, and what happened to it. Audited.
 *
 * pending     written with its charges; not yet on GPD
 * published   on GPD, payable (its notice is sent next)
 * partially_paid / paid  after reconciliation of its receipts (services/billing/reconcile.ts)
 * cancelled   invalidated on GPD
 */
export default class PaymentPosition extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'payment_positions'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare runId: number | null

  @column()
  declare payerUserId: number

  @column()
  declare service: string

  @column()
  declare period: string

  @column()
  declare iupd: string

  @column()
  declare iuv: string

  @column()
  declare nav: string

  @column(centsColumn)
  declare amountCents: number

  @column(centsColumn)
  declare paidCents: number

  @column()
  declare dueDate: string

  @column()
  declare status: PositionStatus

  @column()
  declare noticeChannel: string | null

  @column.dateTime()
  declare paidAt: DateTime | null

  @column()
  declare psp: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
