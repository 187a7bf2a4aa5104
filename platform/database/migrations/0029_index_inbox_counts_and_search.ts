import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The back office's inbox on a tenant with many applications (`npm run bench`, 100k submissions):
 * - its counts per status read every application under the filters: an index holding tenant,
 *   form, status and sending time answers them from the index alone (PostgreSQL's index-only scan),
 *   without reading the rows, whose encrypted data make them wide;
 * - a search by name or codice fiscale reads the matching submissions from the terms' index alone.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('submissions', (table) => {
      table.index(['tenant_id', 'form_key', 'status', 'submitted_at'], 'submissions_inbox_counts_index')
    })
    this.schema.alterTable('submission_search_terms', (table) => {
      table.index(['tenant_id', 'term', 'submission_id'], 'submission_search_terms_lookup_index')
      table.dropIndex(['tenant_id', 'term'])
    })
  }

  async down() {
    this.schema.alterTable('submission_search_terms', (table) => {
      table.index(['tenant_id', 'term'])
      table.dropIndex(['tenant_id', 'term', 'submission_id'], 'submission_search_terms_lookup_index')
    })
    this.schema.alterTable('submissions', (table) => {
      table.dropIndex(['tenant_id', 'form_key', 'status', 'submitted_at'], 'submissions_inbox_counts_index')
    })
  }
}
