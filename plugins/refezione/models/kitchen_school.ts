import { DateTime, PluginModel, column } from '@sportello/platform/sdk'

/** A school a kitchen cooks for (one kitchen per school). */
export default class KitchenSchool extends PluginModel {
  static table = 'refezione_kitchen_schools'
  @column({ isPrimary: true }) declare id: number
  @column() declare kitchenCode: string
  @column() declare schoolCode: string
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
