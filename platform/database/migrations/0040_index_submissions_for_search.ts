import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The inbox's search by name meets the submissions the words' terms name (a common surname is a
 * tenth of an office's applications) by their key, and reads only their tenant, form, status,
 * school and sending time. An index on the key carrying those columns answers that from the index
 * alone: the rows themselves are wide (the encrypted data), and reading them was most of the
 * search's time. PostgreSQL carries the columns as INCLUDE; SQLite, which has no INCLUDE, as
 * further columns of the index (a covering index all the same).
 */
const NAME = 'submissions_search_lookup_index'
const COLUMNS = ['tenant_id', 'form_key', 'status', 'school_code', 'submitted_at']

export default class extends BaseSchema {
  async up() {
    if (this.db.dialect.name === 'postgres') {
      this.schema.raw(`CREATE INDEX ${NAME} ON submissions (id) INCLUDE (${COLUMNS.join(', ')})`)
    } else {
      this.schema.alterTable('submissions', (table) => {
        table.index(['id', ...COLUMNS], NAME)
      })
    }
  }

  async down() {
    this.schema.raw(`DROP INDEX ${NAME}`)
  }
}
