import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * tenants.content_stamp: a random value renewed by every write to the tenant's school catalog,
 * enabled services and forms, so a process can keep them between requests and see a change at
 * its next request (app/services/tenants/tenant_content.ts). Null until the first such write.
 */
export default class extends BaseSchema {
  protected tableName = 'tenants'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('content_stamp', 36).nullable()
    })
  }

  async down() {
    // Plain ALTER TABLE ... DROP COLUMN, as in 0014 and 0019: the schema builder's SQLite way copies
    // the table, which the foreign keys to tenants refuse.
    this.schema.raw('ALTER TABLE tenants DROP COLUMN content_stamp')
  }
}
