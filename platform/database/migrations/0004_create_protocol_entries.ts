import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The register of the local protocol simulator: what a DOCAREA protocol
 * system returns (number, year, date, document id), kept per tenant so the
 * demo and the tests get real, gap-free, idempotent protocol numbers.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('protocol_entries', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('year').notNullable()
      table.integer('number').notNullable()
      table.integer('doc_id').notNullable()
      table.string('direction', 1).notNullable()
      table.string('subject', 500).notNullable()
      table.string('correspondent', 200).notNullable()
      table.string('idempotency_key', 128).notNullable()
      table.string('document_sha256', 64).notNullable()
      table.timestamp('created_at').notNullable()
      table.unique(['tenant_id', 'year', 'number'])
      table.unique(['tenant_id', 'idempotency_key'])
    })
  }

  async down() {
    this.schema.dropTable('protocol_entries')
  }
}
