import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * What staff should look at in a submission that was accepted for sending anyway: a second
 * application for a child who already has one for the same service and school year, where the form
 * lets the family send it and staff decide (`"x-duplicates": "warn"`). Encrypted like the data it
 * comes from (it names the child); null when there is nothing to say.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('submissions', (table) => {
      table.text('warnings').nullable()
    })
  }

  async down() {
    // Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): the schema builder's SQLite way
    // copies the table, which the foreign keys of submission_events and attachments refuse.
    this.schema.raw('ALTER TABLE submissions DROP COLUMN warnings')
  }
}
