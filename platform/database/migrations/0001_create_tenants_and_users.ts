import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('tenants', (table) => {
      table.increments('id')
      table.string('slug', 64).notNullable().unique()
      table.string('name', 200).notNullable()
      table.string('fiscal_code', 16).notNullable()
      table.json('settings').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })

    this.schema.createTable('users', (table) => {
      table.increments('id')
      table.string('email', 254).notNullable().unique()
      table.string('full_name', 200).notNullable()
      table.string('fiscal_code', 16).nullable()
      table.string('password').nullable()
      table.boolean('is_platform_admin').notNullable().defaultTo(false)
      table.string('locale', 5).notNullable().defaultTo('it')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })

    this.schema.createTable('memberships', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE')
      table.json('roles').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'user_id'])
    })

    this.schema.createTable('tenant_plugins', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('plugin_id', 64).notNullable()
      table.boolean('enabled').notNullable().defaultTo(false)
      table.timestamp('enabled_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'plugin_id'])
    })

    this.schema.createTable('audit_logs', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().nullable().references('id').inTable('tenants').onDelete('SET NULL')
      table.integer('actor_user_id').unsigned().nullable()
      table.string('actor_label', 254).notNullable()
      table.string('action', 64).notNullable()
      table.string('entity', 64).notNullable()
      table.string('entity_id', 64).notNullable()
      table.json('before').nullable()
      table.json('after').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['tenant_id', 'created_at'])
      table.index(['entity', 'entity_id'])
    })
  }

  async down() {
    this.schema.dropTable('audit_logs')
    this.schema.dropTable('tenant_plugins')
    this.schema.dropTable('memberships')
    this.schema.dropTable('users')
    this.schema.dropTable('tenants')
  }
}
