import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Reports produced in the background (app/reports/): who asked for which report with which
 * parameters, how far it got, and the file it left in tmp/storage/reports/ until it expires.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('report_runs', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      // `<plugin id>.<report id>`
      table.string('report_id', 160).notNullable()
      table.string('format', 8).notNullable()
      table.text('params').notNullable()
      table.string('lang', 2).notNullable()
      // queued, running, done, failed, expired
      table.string('status', 16).notNullable()
      table.integer('done').notNullable().defaultTo(0)
      table.integer('total').nullable()
      table.string('file_path', 500).nullable()
      table.bigInteger('file_size').nullable()
      table.string('error', 1000).nullable()
      table.integer('requested_by_user_id').unsigned().notNullable().references('id').inTable('users')
      table.timestamp('finished_at').nullable()
      table.timestamp('expires_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['tenant_id', 'requested_by_user_id'])
      table.index(['status', 'expires_at'])
    })
  }

  async down() {
    this.schema.dropTable('report_runs')
  }
}
