import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { column } from '#models/columns'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'

/** Who is whose parent in the offices' register of people. */
export default class PersonRelation extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'person_relations'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare parentId: number

  @column()
  declare childId: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
