import { DateTime, PluginModel, column } from '@sportello/platform/sdk'

export type AssignmentScope = 'school' | 'kitchen'

/** A staff member's place: a school_staff user works in schools, a kitchen user in kitchens. */
export default class Assignment extends PluginModel {
  static table = 'refezione_assignments'
  @column({ isPrimary: true }) declare id: number
  @column() declare userId: number
  @column() declare scope: AssignmentScope
  @column() declare code: string
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
