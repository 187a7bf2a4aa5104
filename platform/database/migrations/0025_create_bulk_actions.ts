import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The back office's bulk actions (Allegato A, "Portale di BackOffice": accepting a selection of
 * applications at once). The request, its items and the job that works them are written in one
 * transaction, so nothing asked is lost to a crash; each item records its own outcome, written
 * in the transaction of the change it made, so a job run again never acts twice on an item.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('bulk_actions', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      // What is done to each item: "accept" (submissions) for now.
      table.string('kind', 32).notNullable()
      // queued, running, done.
      table.string('status', 16).notNullable()
      table.integer('total').notNullable()
      table.integer('requested_by_user_id').unsigned().notNullable().references('id').inTable('users')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.timestamp('finished_at').nullable()
      table.index(['tenant_id', 'id'])
    })
    this.schema.createTable('bulk_action_items', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table
        .integer('bulk_action_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('bulk_actions')
        .onDelete('CASCADE')
      table.integer('submission_id').unsigned().notNullable().references('id').inTable('submissions')
      // pending, done, failed.
      table.string('status', 16).notNullable()
      // Why it failed, in Italian and English (JSON), when it did.
      table.text('error').nullable()
      table.timestamp('finished_at').nullable()
      table.unique(['bulk_action_id', 'submission_id'])
      table.index(['bulk_action_id', 'status'])
    })
  }

  async down() {
    this.schema.dropTable('bulk_action_items')
    this.schema.dropTable('bulk_actions')
  }
}
