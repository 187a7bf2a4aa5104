import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Services read their enrolments school by school (a class's day, a kitchen's order): an index on
 * the school keeps those reads from walking a whole tenant's year (Torino: 36,000 pupils).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('enrolments', (table) => {
      table.index(['tenant_id', 'service', 'school_id'], 'enrolments_tenant_service_school_index')
    })
  }

  async down() {
    this.schema.alterTable('enrolments', (table) => {
      table.dropIndex(['tenant_id', 'service', 'school_id'], 'enrolments_tenant_service_school_index')
    })
  }
}
