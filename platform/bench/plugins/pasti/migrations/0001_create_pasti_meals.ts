import { PluginSchema } from '@sportello/platform/sdk'

export default class extends PluginSchema {
  async up() {
    this.schema.createTable('pasti_meals', (table) => {
      table.bigIncrements('id')
      this.tenantColumn(table)
      table.integer('enrolment_id').notNullable()
      table.string('day', 10).notNullable()
      table.integer('unit_cents').notNullable()
      table.index(['tenant_id', 'day'])
    })
  }

  async down() {
    this.schema.dropTable('pasti_meals')
  }
}
