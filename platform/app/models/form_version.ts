import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { StampsTenantContent } from '#models/mixins/stamps_tenant_content'
import { column, jsonColumn } from '#models/columns'

/** One published, immutable version of a form definition; submissions record the version they used. */
export default class FormVersion extends compose(BaseModel, TenantScoped, Audited, StampsTenantContent) {
  static table = 'form_versions'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare formId: number

  @column()
  declare version: number

  /** The whole canonical definition: JSON Schema, uiSchema, BLOCCO rules, attachments. */
  @column(jsonColumn)
  declare definition: Record<string, unknown>

  /** First day it is in force (YYYY-MM-DD, Europe/Rome); null: from the start. */
  @column()
  declare validFrom: string | null

  @column()
  declare source: string

  @column()
  declare publishedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
