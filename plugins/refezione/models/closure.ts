import { DateTime, PluginModel, column, columns } from '@sportello/platform/sdk'

export const CLOSURE_KINDS = ['holiday', 'closure', 'strike', 'trip'] as const
export type ClosureKind = (typeof CLOSURE_KINDS)[number]

/**
 * Days without canteen: for every school (school_code empty: a holiday), one school, or one class
 * (class_year and section set), from starts_on to ends_on inclusive.
 */
export default class Closure extends PluginModel {
  static table = 'refezione_closures'
  @column({ isPrimary: true }) declare id: number
  @column() declare schoolYear: string
  @column() declare kind: ClosureKind
  @column() declare startsOn: string
  @column() declare endsOn: string
  @column() declare schoolCode: string
  @column() declare classYear: string
  @column() declare section: string
  @column() declare reason: string
  @column(columns.boolean) declare demo: boolean
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
