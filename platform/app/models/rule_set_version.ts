import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { StampsTenantContent } from '#models/mixins/stamps_tenant_content'
import { column, jsonColumn } from '#models/columns'

/** One published, immutable version of a rule set, in force from valid_from to valid_to. */
export default class RuleSetVersion extends compose(BaseModel, TenantScoped, Audited, StampsTenantContent) {
  static table = 'ruleset_versions'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare rulesetId: number

  @column()
  declare version: number

  /** ISO dates (YYYY-MM-DD) kept as text so that both engines compare them the same way. */
  @column()
  declare validFrom: string

  @column()
  declare validTo: string | null

  /** The version body as in rules/<service>/<id>.json (tables, rules, formulas, tests...). */
  @column(jsonColumn)
  declare body: Record<string, unknown>

  @column()
  declare source: string

  @column()
  declare publishedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
