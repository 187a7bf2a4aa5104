import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Form submissions and their status history. `data` is stored encrypted
 * (AES-256-GCM, see data_cipher.ts): it holds ISEE, disability and health
 * data, so the column is text, never JSON the database could index or read.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('submissions', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('form_id').unsigned().notNullable().references('id').inTable('forms').onDelete('RESTRICT')
      table
        .integer('form_version_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('form_versions')
        .onDelete('RESTRICT')
      table.string('form_key', 128).notNullable()
      // The citizen the submission is for.
      table.integer('applicant_user_id').unsigned().notNullable().references('id').inTable('users').onDelete('RESTRICT')
      // Who saved or submitted it: the citizen, or an operator acting on their behalf (procura).
      table
        .integer('submitted_by_user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('RESTRICT')
      table.boolean('on_behalf').notNullable().defaultTo(false)
      table.string('status', 32).notNullable()
      table.text('status_reason').nullable()
      table.text('data').notNullable()
      table.string('protocol_number', 64).nullable()
      table.timestamp('submitted_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['tenant_id', 'applicant_user_id'])
      table.index(['tenant_id', 'status'])
    })

    this.schema.createTable('submission_events', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table
        .integer('submission_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('submissions')
        .onDelete('CASCADE')
      // Null for the event that creates the draft.
      table.string('from_status', 32).nullable()
      table.string('to_status', 32).notNullable()
      table.text('reason').nullable()
      table.integer('user_id').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.index(['submission_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable('submission_events')
    this.schema.dropTable('submissions')
  }
}
