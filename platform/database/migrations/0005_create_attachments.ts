import { BaseSchema } from '@adonisjs/lucid/schema'

/** Uploaded files: the bytes live in storage/, the row keeps who, what, how big and the SHA-256. */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('attachments', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('file_id', 64).notNullable().unique()
      table.integer('uploaded_by_user_id').unsigned().notNullable().references('id').inTable('users')
      table.string('form_key', 128).notNullable()
      table.string('field_path', 200).notNullable()
      table.integer('submission_id').unsigned().nullable().references('id').inTable('submissions').onDelete('SET NULL')
      table.string('file_name', 200).notNullable()
      table.string('content_type', 100).notNullable()
      table.integer('size_bytes').notNullable()
      table.string('sha256', 64).notNullable()
      table.timestamp('created_at').notNullable()
      table.index(['tenant_id', 'submission_id'])
    })
  }

  async down() {
    this.schema.dropTable('attachments')
  }
}
