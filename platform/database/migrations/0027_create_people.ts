import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The offices' register of people (Allegato A, "gestione anagrafica"): parents and children kept
 * by the back office, each with a codice fiscale (checked, one per tenant: a keyed hash beside the
 * encrypted value), and who is whose parent. Names, codici fiscali and birth dates are encrypted
 * at rest like the other identities (data_at_rest.ts).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('people', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      // parent or child.
      table.string('kind', 16).notNullable()
      table.text('first_name').notNullable()
      table.text('last_name').notNullable()
      table.text('fiscal_code').notNullable()
      table.string('fiscal_code_hash', 128).notNullable()
      table.text('birth_date').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'fiscal_code_hash'])
      table.index(['tenant_id', 'kind', 'id'])
    })
    this.schema.createTable('person_relations', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('parent_id').unsigned().notNullable().references('id').inTable('people')
      table.integer('child_id').unsigned().notNullable().references('id').inTable('people')
      table.timestamp('created_at').notNullable()
      table.unique(['parent_id', 'child_id'])
      table.index(['child_id'])
    })
  }

  async down() {
    this.schema.dropTable('person_relations')
    this.schema.dropTable('people')
  }
}
