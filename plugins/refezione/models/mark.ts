import { DateTime, PluginModel, column, columns } from '@sportello/platform/sdk'

export type MarkSource = 'tablet' | 'paper'

/** One attendance mark for a child, as a device (or an operator from paper) made it. */
export default class Mark extends PluginModel {
  static table = 'refezione_marks'
  @column({ isPrimary: true }) declare id: number
  @column() declare deviceMarkId: string
  @column() declare day: string
  @column() declare schoolCode: string
  @column() declare classYear: string
  @column() declare section: string
  @column() declare enrolmentId: number
  @column() declare status: 'present' | 'absent' | null
  @column(columns.boolean) declare plain: boolean | null
  @column(columns.boolean) declare lateEntry: boolean | null
  @column(columns.boolean) declare earlyExit: boolean | null
  @column() declare markedAt: string
  @column(columns.boolean) declare afterCutoff: boolean
  @column() declare source: MarkSource
  @column() declare recordedBy: number | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
