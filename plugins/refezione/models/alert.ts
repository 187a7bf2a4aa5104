import { DateTime, PluginModel, column } from '@sportello/platform/sdk'

export type AlertKind = 'class_not_closed' | 'order_unconfirmed' | 'school_without_kitchen'

/** Something the meal chain could not do by itself, for the school and the back office to see. */
export default class Alert extends PluginModel {
  static table = 'refezione_alerts'
  @column({ isPrimary: true }) declare id: number
  @column() declare day: string
  @column() declare kind: AlertKind
  @column() declare schoolCode: string
  @column() declare kitchenCode: string
  @column() declare classYear: string
  @column() declare section: string
  @column() declare message: string
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
