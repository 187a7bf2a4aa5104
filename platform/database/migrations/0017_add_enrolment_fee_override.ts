import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The fee an operator sets by hand in place of the computed one (Allegato A, "Portale di
 * BackOffice": the fee is computed "con possibilità di sovrascriverla manualmente"), with why,
 * who and when; billing charges it instead of `tariff_amount` while it is set. The computed fee
 * and its trace stay as they were. The reason is free text about the family: encrypted at rest.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('enrolments', (table) => {
      table.string('fee_override_amount', 20).nullable()
      table.text('fee_override_reason').nullable()
      table.integer('fee_override_by').unsigned().nullable()
      table.timestamp('fee_override_at').nullable()
    })
  }

  async down() {
    // Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), as 0014 does.
    for (const column of ['fee_override_at', 'fee_override_by', 'fee_override_reason', 'fee_override_amount']) {
      this.schema.raw(`ALTER TABLE enrolments DROP COLUMN ${column}`)
    }
  }
}
