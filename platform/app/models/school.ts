import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { StampsTenantContent } from '#models/mixins/stamps_tenant_content'
import { booleanColumn, column, jsonColumn } from '#models/columns'
import SchoolClass from '#models/school_class'

/** A school building (plesso) of the tenant, with its order and the services that serve it. */
export default class School extends compose(BaseModel, TenantScoped, Audited, StampsTenantContent) {
  static table = 'schools'

  @column({ isPrimary: true })
  declare id: number

  /** The value a form stores in its school field, e.g. "pc-primaria-alberoni". */
  @column()
  declare code: string

  @column()
  declare name: string

  /** nido, infanzia, primaria or secondaria_primo_grado (see school_catalog.ts). */
  @column()
  declare order: string

  /** Plugin ids of the services the school is served by, as GET /api/v1/plugins names them. */
  @column(jsonColumn)
  declare services: string[]

  @column()
  declare address: string | null

  @column(booleanColumn)
  declare active: boolean

  @hasMany(() => SchoolClass, { foreignKey: 'schoolId' })
  declare classes: HasMany<typeof SchoolClass>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  toApi() {
    return {
      code: this.code,
      name: this.name,
      order: this.order,
      services: this.services,
      address: this.address,
      active: this.active,
    }
  }
}
