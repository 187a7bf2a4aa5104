import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { randomUUID } from 'node:crypto'
import { BaseModel, afterCreate, beforeCreate } from '@adonisjs/lucid/orm'
import { Audited } from '#models/mixins/audited'
import { column, jsonColumn } from '#models/columns'
import { announceTenantCreation } from '#events/platform_events'

/** A comune or an agency: the unit of isolation of all data. */
export default class Tenant extends compose(BaseModel, Audited) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare slug: string

  @column()
  declare name: string

  @column()
  declare fiscalCode: string

  @column(jsonColumn)
  declare settings: Record<string, unknown>

  /** Renewed by every write to the tenant's catalog, services and forms (tenant_content.ts). */
  @column()
  declare contentStamp: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  /** `tenant.created`, in the creating transaction (if any), whoever creates the tenant. */
  /** A new tenant starts with a stamp of its own (an id reused after a rollback must not match what was kept). */
  @beforeCreate()
  static stampContent(tenant: Tenant) {
    tenant.contentStamp ??= randomUUID()
  }

  @afterCreate()
  static async announce(tenant: Tenant) {
    await announceTenantCreation(tenant)
  }

  get ref() {
    return { id: this.id, slug: this.slug }
  }
}
