import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { StampsTenantContent } from '#models/mixins/stamps_tenant_content'
import { booleanColumn, column, jsonColumn } from '#models/columns'
import type { EntryAttributes } from '#forms/catalog_sources'

/** One choice of a tenant's list (one a service's plugin declares): see catalog_sources.ts. */
export default class CatalogEntry extends compose(BaseModel, TenantScoped, Audited, StampsTenantContent) {
  static table = 'catalog_entries'

  @column({ isPrimary: true })
  declare id: number

  /** The form's `ui:options.source`: the name of the list. */
  @column()
  declare source: string

  /** The value a form stores, e.g. "fermata-via-roma". */
  @column()
  declare code: string

  @column()
  declare name: string

  /** The entry it belongs to, when its source has one: a stop's line. */
  @column()
  declare parent: string | null

  @column(jsonColumn)
  declare attributes: EntryAttributes | null

  /** The order in which a list shows its entries. */
  @column()
  declare position: number

  @column(booleanColumn)
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  toData() {
    return {
      code: this.code,
      name: this.name,
      parent: this.parent,
      attributes: this.attributes ?? {},
      position: this.position,
      active: this.active,
    }
  }
}
