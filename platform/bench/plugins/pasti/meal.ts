import { PluginModel, column } from '@sportello/platform/sdk'

/** One meal consumed: a child (enrolment) on a service day, at the fee in force that day. */
export default class Meal extends PluginModel {
  static table = 'pasti_meals'
  @column({ isPrimary: true }) declare id: number
  @column() declare enrolmentId: number
  @column() declare day: string
  @column() declare unitCents: number
}
