import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { StampsTenantContent } from '#models/mixins/stamps_tenant_content'
import { booleanColumn, column } from '#models/columns'

/** A class group of a school: a year (null where the order has none) and a section. */
export default class SchoolClass extends compose(BaseModel, TenantScoped, Audited, StampsTenantContent) {
  static table = 'school_classes'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare schoolId: number

  @column()
  declare year: string | null

  @column()
  declare section: string

  @column(booleanColumn)
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  toApi() {
    return { id: this.id, year: this.year, section: this.section, active: this.active }
  }
}
