import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The tenant's other lists that forms choose from (`ui:options.source`): transport lines and their
 * stops, nursery and Edugate facilities (Allegato B: "3 preferenze scelte da un elenco di strutture
 * che riporta: indirizzo, orari e fasce di età"; "indicazione della linea e della fermata"). One
 * table for every such list, keyed by source name: what filters an entry (the schools a line serves,
 * the line a stop is on, the ages a facility takes) is in `parent` and `attributes`. Entries are
 * deactivated, never deleted: past submissions keep naming them.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('catalog_entries', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('source', 64).notNullable()
      table.string('code', 64).notNullable()
      table.string('name', 200).notNullable()
      table.string('parent', 64).nullable()
      table.json('attributes').nullable()
      table.integer('position').notNullable().defaultTo(0)
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'source', 'code'])
    })
  }

  async down() {
    this.schema.dropTable('catalog_entries')
  }
}
