import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The local protocol register gives each registration the tenant's next document id
 * (`SimulatedProtocol`, protocol.ts): the greatest so far, looked up in this index instead of
 * every registration the tenant ever made. The next number of the year already has one (the
 * unique key on tenant, year and number).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('protocol_entries', (table) => {
      table.index(['tenant_id', 'doc_id'], 'protocol_entries_tenant_doc_id_index')
    })
  }

  async down() {
    this.schema.alterTable('protocol_entries', (table) => {
      table.dropIndex(['tenant_id', 'doc_id'], 'protocol_entries_tenant_doc_id_index')
    })
  }
}
