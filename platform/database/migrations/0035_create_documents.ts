import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The documents the offices keep for a child or a parent (Allegato A, "gestione anagrafica"):
 * identity documents, L. 104/92 certifications, foster care decrees, medical diet certificates.
 * A document names its person by codice fiscale, encrypted, with a keyed hash beside it (the same
 * link people and enrolments use), so the register and the people pages find the same documents.
 * The bytes are an `attachments` row (encrypted file store, key rotation, export); the notes are
 * encrypted like other health data. The type stays in clear: the retention per type and the
 * expiry checks select on it, and the row names nobody without the key.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('documents', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('type', 24).notNullable()
      table.text('subject_fiscal_code').notNullable()
      table.string('subject_fiscal_code_hash', 128).notNullable()
      table.integer('attachment_id').unsigned().notNullable().references('id').inTable('attachments')
      // The application it was filed from when that was accepted, if any.
      table.integer('submission_id').unsigned().nullable()
      table.string('issued_on', 10).nullable()
      table.string('expires_on', 10).nullable()
      table.text('notes').nullable()
      // Never stored: set on the row just before it is deleted, so that the audit entry of the
      // deletion carries the reason (encrypted, like other free text about a person).
      table.text('deletion_reason').nullable()
      table.integer('uploaded_by_user_id').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      // A file is filed once: accepting an application twice cannot duplicate its documents.
      table.unique(['tenant_id', 'attachment_id'])
      table.index(['tenant_id', 'subject_fiscal_code_hash'])
      table.index(['tenant_id', 'type', 'expires_on'])
    })
  }

  async down() {
    this.schema.dropTable('documents')
  }
}
