import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'

/** The next version of a rule set while staff shape it in the designer: saved, checked, not in force. */
export default class RuleSetDraft extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'ruleset_drafts'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare rulesetId: number

  /** The version it was started from (the one in force at its start, or a future one it replaces). */
  @column()
  declare basedOn: number

  @column()
  declare validFrom: string

  /** The version body as it will be published (tables, conditions, formulas, steps, outputs, tests). */
  @column(jsonColumn)
  declare body: Record<string, unknown>

  @column()
  declare updatedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
