import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The register's withdrawal from a date and renewal for the next school year (Allegato A,
 * "gestione anagrafica"; enrolment_changes.ts). A withdrawal keeps the day the child stops (billing
 * charges the months begun before it), why (free text about the family: encrypted at rest) and who.
 * A renewal is a new enrolment for the next school year of the same child from the same
 * application, pointing at the one it renews: at most one renewal each (unique), and an
 * application now stands behind one enrolment per school year instead of one in all.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('enrolments', (table) => {
      table.string('withdrawn_from', 10).nullable()
      table.text('withdrawal_reason').nullable()
      table.integer('withdrawn_by').unsigned().nullable()
      // No foreign key: SQLite could not drop the column again (the unique index below finds it).
      table.integer('renewed_from_id').unsigned().nullable()
      table.dropUnique(['tenant_id', 'submission_id'])
      table.unique(['tenant_id', 'submission_id', 'school_year'])
      table.unique(['tenant_id', 'renewed_from_id'])
    })
  }

  async down() {
    this.schema.alterTable('enrolments', (table) => {
      table.dropUnique(['tenant_id', 'renewed_from_id'])
      table.dropUnique(['tenant_id', 'submission_id', 'school_year'])
      table.unique(['tenant_id', 'submission_id'])
    })
    for (const column of ['renewed_from_id', 'withdrawn_by', 'withdrawal_reason', 'withdrawn_from']) {
      this.schema.raw(`ALTER TABLE enrolments DROP COLUMN ${column}`)
    }
  }
}
