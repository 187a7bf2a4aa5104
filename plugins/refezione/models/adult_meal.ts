import { DateTime, PluginModel, column, columns } from '@sportello/platform/sdk'
import type { MarkSource } from './mark.js'

export const ADULT_KINDS = ['teacher', 'other'] as const
export type AdultKind = (typeof ADULT_KINDS)[number]

/** How many adults (teachers apart from other authorised adults) eat at a school in a time slot. */
export default class AdultMeal extends PluginModel {
  static table = 'refezione_adult_meals'
  @column({ isPrimary: true }) declare id: number
  @column() declare deviceMarkId: string
  @column() declare day: string
  @column() declare schoolCode: string
  @column() declare slot: string
  @column() declare kind: AdultKind
  @column() declare count: number
  @column() declare markedAt: string
  @column(columns.boolean) declare afterCutoff: boolean
  @column() declare source: MarkSource
  @column() declare recordedBy: number | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
