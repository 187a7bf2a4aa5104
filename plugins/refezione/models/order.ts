import { DateTime, PluginModel, column, columns } from '@sportello/platform/sdk'

export interface OrderLine {
  school_code: string
  school_name: string
  order: string | null
  class_year: string | null
  section: string
  meals: number
  plain: number
  /** Meals per special diet; the ordinary menu is meals minus their sum. */
  diets: Record<string, number>
  /** Counted by the fallback rule: the class was not closed by the cut-off. */
  estimated: boolean
}

export interface OrderAdults {
  school_code: string
  slot: string
  teachers: number
  others: number
}

export interface OrderLines {
  classes: OrderLine[]
  adults: OrderAdults[]
}

export interface NamedDiet {
  school_code: string
  class_year: string | null
  section: string
  first_name: string
  last_name: string
  diet: string
  plain: boolean
}

/** A kitchen's order for a day, frozen at the cut-off and confirmed by the kitchen. */
export default class Order extends PluginModel {
  static table = 'refezione_orders'
  @column({ isPrimary: true }) declare id: number
  @column() declare day: string
  @column() declare kitchenCode: string
  @column() declare status: 'frozen' | 'confirmed'
  @column() declare frozenAt: string
  @column() declare confirmedAt: string | null
  @column() declare confirmedBy: number | null
  @column(columns.boolean) declare estimated: boolean
  @column() declare meals: number
  @column() declare revision: number
  @column(columns.json) declare lines: OrderLines
  /** Health data (diets name children): encrypted at rest, shown as changed in the audit. */
  @column(columns.encrypted) declare specialDiets: NamedDiet[] | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime | null
}
