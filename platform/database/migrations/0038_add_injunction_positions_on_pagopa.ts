import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * An injunction replaces the unpaid positions it demands by ONE new pagoPA position for the total
 * (seed 000, arrears b): `injunctions.position_id` is that position (its notice number from the
 * tenant's sequence, written with the injunction), and each replaced position records what became
 * of it on GPD: `invalidated` (the injunction now asks for it) or `paid` (paid before it could be
 * invalidated: left out of the injunction). Empty while the injunction's job has not reached it.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('injunctions', (table) => {
      // payment_positions.id; no foreign key, so that rolling back is a plain DROP COLUMN on SQLite too.
      table.integer('position_id').unsigned().nullable()
      table.unique(['position_id'], { indexName: 'injunctions_position_id_unique', useConstraint: false })
    })
    this.schema.alterTable('injunction_positions', (table) => {
      table.string('outcome', 20).nullable()
    })
  }

  async down() {
    // Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): the schema builder's SQLite way
    // copies the table, which the foreign keys pointing at it refuse once there is data.
    this.schema.raw('ALTER TABLE injunction_positions DROP COLUMN outcome')
    this.schema.raw('DROP INDEX injunctions_position_id_unique')
    this.schema.raw('ALTER TABLE injunctions DROP COLUMN position_id')
  }
}
