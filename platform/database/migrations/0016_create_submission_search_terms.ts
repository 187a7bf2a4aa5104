import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * What the back office's inbox searches by, while the submission's data stay encrypted: one row
 * per keyed hash (HMAC, data_cipher.ts) of a codice fiscale or of a word of a name found in the
 * data. The hashes reveal nothing without the key; a search hashes what the operator typed and
 * matches it here. Rewritten at each sending (submission_search.ts).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('submission_search_terms', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table
        .integer('submission_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('submissions')
        .onDelete('CASCADE')
      table.string('term', 120).notNullable()
      table.index(['tenant_id', 'term'])
      table.index(['submission_id'])
    })
  }

  async down() {
    this.schema.dropTable('submission_search_terms')
  }
}
