import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { StampsTenantContent } from '#models/mixins/stamps_tenant_content'
import { booleanColumn, column } from '#models/columns'

/** A plugin (service) as installed for one tenant, enabled or not. */
export default class TenantPlugin extends compose(BaseModel, TenantScoped, Audited, StampsTenantContent) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare pluginId: string

  @column(booleanColumn)
  declare enabled: boolean

  @column.dateTime()
  declare enabledAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
