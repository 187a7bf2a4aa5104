import { DateTime, PluginModel, column } from '@sportello/platform/sdk'

/** A change to an order after its cut-off: who, why, and the totals before and after. */
export default class OrderChange extends PluginModel {
  static table = 'refezione_order_changes'
  @column({ isPrimary: true }) declare id: number
  @column() declare orderId: number
  @column() declare revision: number
  @column() declare changedBy: number | null
  @column() declare reason: string
  @column() declare mealsBefore: number
  @column() declare mealsAfter: number
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
