import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { StampsTenantContent } from '#models/mixins/stamps_tenant_content'
import { column, jsonColumn } from '#models/columns'
import FormVersion from '#models/form_version'

/** A tenant's working copy of an enrolment form; its content lives in versions. */
export default class Form extends compose(BaseModel, TenantScoped, Audited, StampsTenantContent) {
  static table = 'forms'

  @column({ isPrimary: true })
  declare id: number

  /** The form id, "<service>.<name>", e.g. "<service>.iscrizione". */
  @column()
  declare key: string

  @column()
  declare service: string

  @column(jsonColumn)
  declare title: Record<string, string>

  @hasMany(() => FormVersion, { foreignKey: 'formId' })
  declare versions: HasMany<typeof FormVersion>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
