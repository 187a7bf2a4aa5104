import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Tenants' working copies of forms and rule sets, with their version history.
 * Versions are immutable once written: a change is a new version.
 */
export default class extends BaseSchema {
  async up() {
    for (const [parent, child, fk] of [
      ['rulesets', 'ruleset_versions', 'ruleset_id'],
      ['forms', 'form_versions', 'form_id'],
    ] as const) {
      this.schema.createTable(parent, (table) => {
        table.increments('id')
        table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
        table.string('key', 128).notNullable()
        table.string('service', 64).notNullable()
        table.json('title').notNullable()
        table.timestamp('created_at').notNullable()
        table.timestamp('updated_at').nullable()
        table.unique(['tenant_id', 'key'])
      })
      this.schema.createTable(child, (table) => {
        table.increments('id')
        table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
        table.integer(fk).unsigned().notNullable().references('id').inTable(parent).onDelete('CASCADE')
        table.integer('version').notNullable()
        if (parent === 'rulesets') {
          table.string('valid_from', 10).notNullable()
          table.string('valid_to', 10).nullable()
          table.json('body').notNullable()
        } else {
          table.json('definition').notNullable()
        }
        table.string('source', 32).notNullable()
        table.integer('published_by').unsigned().nullable()
        table.timestamp('created_at').notNullable()
        table.unique([fk, 'version'])
      })
    }
  }

  async down() {
    this.schema.dropTable('form_versions')
    this.schema.dropTable('forms')
    this.schema.dropTable('ruleset_versions')
    this.schema.dropTable('rulesets')
  }
}
