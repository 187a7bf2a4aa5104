import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeDelete, beforeUpdate } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'

export const LEDGER_KINDS = ['charge', 'payment', 'adjustment'] as const
export type LedgerKind = (typeof LEDGER_KINDS)[number]

/** Cents come back from PostgreSQL's bigint as text: read them as numbers (safe below 2^53). */
export const centsColumn = {
  consume: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
}

export class LedgerImmutableError extends Error {
  constructor() {
    super('Ledger entries are never changed or deleted: post an adjustment instead')
    this.name = 'LedgerImmutableError'
  }
}

/**
 * One movement of a paying person's account (DESIGN.md, Money): a charge (positive cents), a
 * payment (negative) or an adjustment (either sign), with the service, enrolment and period it
 * belongs to. Written once, under a unique key, and never edited: a correction is a new
 * adjustment. The creation is audited like every write.
 */
export default class LedgerEntry extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'ledger_entries'

  @column({ isPrimary: true, consume: (v: unknown) => Number(v) })
  declare id: number

  @column()
  declare entryKey: string

  @column()
  declare kind: LedgerKind

  @column()
  declare payerUserId: number

  @column()
  declare enrolmentId: number | null

  @column()
  declare service: string

  @column()
  declare period: string | null

  @column(centsColumn)
  declare amountCents: number

  /** A decimal string ("1", "18", "2.5"): meals, days, months. */
  @column()
  declare quantity: string | null

  @column(centsColumn)
  declare unitCents: number | null

  @column()
  declare description: string

  /** Where the amount came from (rule set, version, the plugin's own reference): no personal data. */
  @column(jsonColumn)
  declare details: Record<string, unknown> | null

  @column()
  declare actorLabel: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @beforeUpdate()
  static refuseUpdate() {
    throw new LedgerImmutableError()
  }

  @beforeDelete()
  static refuseDelete() {
    throw new LedgerImmutableError()
  }
}
