import { DateTime, PluginModel, column, columns } from '@sportello/platform/sdk'
import type { MarkSource } from './mark.js'

/** A class's day closed by its school (or by an operator from paper): its marks are final. */
export default class ClassDay extends PluginModel {
  static table = 'refezione_class_days'
  @column({ isPrimary: true }) declare id: number
  @column() declare day: string
  @column() declare schoolCode: string
  @column() declare classYear: string
  @column() declare section: string
  @column() declare closedAt: string
  @column() declare closedBy: number | null
  @column(columns.boolean) declare afterCutoff: boolean
  @column() declare source: MarkSource
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
