import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { centsColumn } from '#models/ledger_entry'

/**
 * A coercive-collection record (messa a ruolo) as handed over: the file and its CSV. Audited by its
 * writer with a summary (number, layout, injunctions, total), so the log is no second copy of the file.
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

  @column({ serializeAs: null })
  declare content: string

  @column({ serializeAs: null })
  declare csv: string

  @column()
  declare createdBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
