import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * `payment_position_items` had a foreign key to `tenants` beside the one to its position: the
 * monthly run writes an item per charge (100,000 a month in a large comune) and PostgreSQL checks
 * every key of every row, so that key cost a look-up per item and said only that the tenant exists,
 * never that it is the position's. Both are replaced by ONE composite key, (tenant_id, position_id)
 * → payment_positions (tenant_id, id): an item can name only its position's tenant (a mismatched
 * write is refused), and the tenant's existence follows from the position's own key to `tenants`.
 * ON DELETE CASCADE keeps what the tenant key did: deleting a tenant deletes its items.
 *
 * On SQLite the schema builder rebuilds the table to change its keys (nothing points at it).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('payment_positions', (table) => {
      table.unique(['tenant_id', 'id'], { indexName: 'payment_positions_tenant_id_id_unique' })
    })
    this.schema.alterTable('payment_position_items', (table) => {
      table.dropForeign(['tenant_id'])
      table.dropForeign(['position_id'])
      table
        .foreign(['tenant_id', 'position_id'], 'payment_position_items_tenant_position_foreign')
        .references(['tenant_id', 'id'])
        .inTable('payment_positions')
        .onDelete('CASCADE')
    })
  }

  async down() {
    this.schema.alterTable('payment_position_items', (table) => {
      table.dropForeign(['tenant_id', 'position_id'], 'payment_position_items_tenant_position_foreign')
      table.foreign('tenant_id').references('id').inTable('tenants').onDelete('CASCADE')
      table.foreign('position_id').references('id').inTable('payment_positions')
    })
    this.schema.alterTable('payment_positions', (table) => {
      table.dropUnique(['tenant_id', 'id'], 'payment_positions_tenant_id_id_unique')
    })
  }
}
