import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, belongsTo } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'
import User from '#models/user'
import type { Role } from '#services/tenants/roles'

/** What a user may do in one tenant: the roles they hold there. */
export default class Membership extends compose(BaseModel, TenantScoped, Audited) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  @column(jsonColumn)
  declare roles: Role[]

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
