import { DateTime, PluginModel, column, columns } from '@sportello/platform/sdk'

/**
 * The weekdays a school (class_year and section empty) or one class has the canteen in a school
 * year. A class's row wins over its school's, a school's over the tenant's default setting.
 */
export default class ServiceDays extends PluginModel {
  static table = 'refezione_service_days'
  @column({ isPrimary: true }) declare id: number
  @column() declare schoolYear: string
  @column() declare schoolCode: string
  @column() declare classYear: string
  @column() declare section: string
  /** ISO weekdays (1 = Monday) as "1,2,3,4,5". */
  @column() declare weekdays: string
  @column(columns.boolean) declare demo: boolean
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
