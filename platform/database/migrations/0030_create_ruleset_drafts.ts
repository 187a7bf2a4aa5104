import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A rule set's draft: the next version as a designer is shaping it in the designer, saved as they
 * go, not yet in force. One per rule set; publishing it makes it a version and removes it.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('ruleset_drafts', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('ruleset_id').unsigned().notNullable().references('id').inTable('rulesets').onDelete('CASCADE')
      table.integer('based_on').unsigned().notNullable()
      table.string('valid_from', 10).notNullable()
      table.json('body').notNullable()
      table.integer('updated_by').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['ruleset_id'])
    })
  }

  async down() {
    this.schema.dropTable('ruleset_drafts')
  }
}
