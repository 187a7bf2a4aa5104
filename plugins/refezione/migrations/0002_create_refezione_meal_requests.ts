import { PluginSchema } from '@sportello/platform/sdk'

/**
 * What families ask for a day (Allegato A, "Portale utente"): a cancelled meal (disdetta) or a plain
 * meal (pasto in bianco), one answer per child and day; asking again replaces it.
 */
export default class extends PluginSchema {
  async up() {
    this.schema.createTable('refezione_meal_requests', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.integer('enrolment_id').notNullable()
      table.string('day', 10).notNullable()
      table.string('kind', 8).notNullable() // cancel, plain
      table.integer('requested_by').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'enrolment_id', 'day'])
      table.index(['tenant_id', 'day'])
    })
  }

  async down() {
    this.schema.dropTable('refezione_meal_requests')
  }
}
