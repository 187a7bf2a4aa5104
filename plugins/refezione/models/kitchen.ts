import { DateTime, PluginModel, column, columns } from '@sportello/platform/sdk'

/** A kitchen (centro cottura) that cooks for schools. */
export default class Kitchen extends PluginModel {
  static table = 'refezione_kitchens'
  @column({ isPrimary: true }) declare id: number
  @column() declare code: string
  @column() declare name: string
  @column(columns.boolean) declare demo: boolean
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
