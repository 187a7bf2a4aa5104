import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Forms in the designer. A published version may start on a later day (`valid_from`, empty for the
 * versions that apply from the start): until then the version before it stays in force, so an open
 * call keeps its form. A form's draft is the next version as a designer shapes it, saved as they go;
 * publishing it makes it a version and removes it. One per form.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('form_versions', (table) => {
      table.string('valid_from', 10).nullable()
    })
    this.schema.createTable('form_drafts', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('form_id').unsigned().notNullable().references('id').inTable('forms').onDelete('CASCADE')
      table.integer('based_on').nullable()
      table.string('origin', 16).notNullable()
      table.json('definition').notNullable()
      table.integer('updated_by').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['form_id'])
    })
  }

  async down() {
    this.schema.dropTable('form_drafts')
    // Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): the schema builder's SQLite way
    // copies the table, which the foreign key of submissions refuses once there is data.
    this.schema.raw('ALTER TABLE form_versions DROP COLUMN valid_from')
  }
}
