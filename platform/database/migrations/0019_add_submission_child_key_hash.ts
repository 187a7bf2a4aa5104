import { BaseSchema } from '@adonisjs/lucid/schema'
import { indexApplicationChildren } from '#services/submissions/child_identity'

/**
 * The duplicate check (duplicate_check.ts) looks for the child's other applications. The child is
 * inside the encrypted data, so it used to read and decrypt every application of the form sent in
 * the last eighteen months at each sending: linear in the year's applications, per request. A blind
 * index of the child's codice fiscale beside the data (HMAC, data_cipher.ts; the index of the empty
 * text when the application names no child) lets the database find the few rows that can match.
 * Existing rows are indexed here with the current key; a rotation re-indexes them with the rest.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('submissions', (table) => {
      table.string('child_key_hash', 120).nullable()
      table.index(['tenant_id', 'child_key_hash'], 'submissions_child_key_hash_index')
    })
    this.defer((client) => indexApplicationChildren(client, { everyRow: true }))
  }

  async down() {
    // The index first: SQLite refuses to drop an indexed column. Plain ALTER TABLE ... DROP COLUMN,
    // as in 0014: the schema builder's SQLite way copies the table, which foreign keys refuse.
    this.schema.alterTable('submissions', (table) => {
      table.dropIndex(['tenant_id', 'child_key_hash'], 'submissions_child_key_hash_index')
    })
    this.schema.raw('ALTER TABLE submissions DROP COLUMN child_key_hash')
  }
}
