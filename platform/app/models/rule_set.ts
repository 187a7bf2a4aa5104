import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { StampsTenantContent } from '#models/mixins/stamps_tenant_content'
import { column, jsonColumn } from '#models/columns'
import RuleSetVersion from '#models/rule_set_version'

/** A tenant's working copy of a rule set (tariff, score, eligibility); its content lives in versions. */
export default class RuleSet extends compose(BaseModel, TenantScoped, Audited, StampsTenantContent) {
  static table = 'rulesets'

  @column({ isPrimary: true })
  declare id: number

  /** The rule set id, "<service>.<name>", e.g. "<service>.tariffa". */
  @column()
  declare key: string

  @column()
  declare service: string

  @column(jsonColumn)
  declare title: Record<string, string>

  @hasMany(() => RuleSetVersion, { foreignKey: 'rulesetId' })
  declare versions: HasMany<typeof RuleSetVersion>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
