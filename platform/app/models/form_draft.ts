import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'

/** The next version of a form while a designer shapes it: saved as they go, not in force. */
export default class FormDraft extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'form_drafts'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare formId: number

  /** The version number it was started from; null when it was imported for a form with no version here. */
  @column()
  declare basedOn: number | null

  /** `edit` (started from a version) or `import` (a file from another tenant or environment). */
  @column()
  declare origin: string

  /** The canonical form as it will be published. */
  @column(jsonColumn)
  declare definition: Record<string, unknown>

  @column()
  declare updatedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
