import { DateTime, PluginModel, column, columns } from '@sportello/platform/sdk'

/** A school year of the tenant: the first and last day the canteen can run. */
export default class SchoolYear extends PluginModel {
  static table = 'refezione_school_years'
  @column({ isPrimary: true }) declare id: number
  @column() declare code: string
  @column() declare startsOn: string
  @column() declare endsOn: string
  @column(columns.boolean) declare demo: boolean
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
