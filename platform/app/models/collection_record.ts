import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { centsColumn } from '#models/ledger_entry'
import { column, identifierColumn } from '#models/columns'

/**
 * A coercive-collection record (messa a ruolo) as handed over: the file and its CSV. Audited by its
 * writer with a summary (number, layout, injunctions, total), so the log is no second copy of the file.
 * Both name every debtor (codice fiscale, name, address): encrypted at rest with the data key ring
 * (data_at_rest.ts), decrypted when read, renewed by a key rotation like every registered column.
 */
export default class CollectionRecord extends compose(BaseModel, TenantScoped) {
  static table = 'collection_records'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare number: number

  @column()
  declare layout: string

  @column()
  declare injunctions: number

  @column(centsColumn)
  declare totalCents: number

  @column({ ...identifierColumn, serializeAs: null })
  declare content: string

  @column({ ...identifierColumn, serializeAs: null })
  declare csv: string

  @column()
  declare createdBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
