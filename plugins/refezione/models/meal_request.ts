import { DateTime, PluginModel, column } from '@sportello/platform/sdk'

export const REQUEST_KINDS = ['cancel', 'plain'] as const
export type RequestKind = (typeof REQUEST_KINDS)[number]

/** A family's request for one child's meal on one day: cancelled, or plain (pasto in bianco). */
export default class MealRequest extends PluginModel {
  static table = 'refezione_meal_requests'
  @column({ isPrimary: true }) declare id: number
  @column() declare enrolmentId: number
  @column() declare day: string
  @column() declare kind: RequestKind
  @column() declare requestedBy: number | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
