import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A charge can name its position itself: `ledger_entries.position_id`, written with the charge and
 * never changed (the ledger stays append-only). The monthly run on PostgreSQL (billing_batch_pg.ts)
 * writes its new charges so, instead of one `payment_position_items` row each: 133,000 rows fewer
 * for a large comune's month. The items table stays for the charges linked after they were posted
 * (a charge the service posted itself, or one a repeated run finds unbilled) and for the portable
 * path; `position_charges` is the view of both, which every reader uses: which charges a position
 * asks for.
 *
 * On PostgreSQL the key is (tenant_id, position_id) → payment_positions (tenant_id, id), like the
 * items' (a charge names only its own tenant's position), and deferrable, because the batch writes
 * its charges before it takes the notice numbers of their positions (it checks the key once the
 * positions are written). SQLite never writes the column (its run writes items, one transaction at
 * a time): there it is a plain column, without a key, so that it can be dropped again.
 */
export default class extends BaseSchema {
  async up() {
    if (this.db.dialect.name === 'postgres') {
      this.schema.alterTable('ledger_entries', (table) => {
        table.integer('position_id').unsigned().nullable()
        table.index(['position_id'], 'ledger_entries_position_id_index')
        table
          .foreign(['tenant_id', 'position_id'], 'ledger_entries_tenant_position_foreign')
          .references(['tenant_id', 'id'])
          .inTable('payment_positions')
          .deferrable('immediate')
      })
    } else {
      this.schema.raw('ALTER TABLE ledger_entries ADD COLUMN position_id INTEGER NULL')
      this.schema.raw('CREATE INDEX ledger_entries_position_id_index ON ledger_entries (position_id)')
    }
    this.schema.raw(`CREATE VIEW position_charges AS
      SELECT tenant_id, position_id, id AS entry_id FROM ledger_entries WHERE position_id IS NOT NULL
      UNION ALL
      SELECT tenant_id, position_id, entry_id FROM payment_position_items`)
  }

  async down() {
    this.schema.raw('DROP VIEW IF EXISTS position_charges')
    if (this.db.dialect.name === 'postgres') {
      this.schema.alterTable('ledger_entries', (table) => {
        table.dropForeign(['tenant_id', 'position_id'], 'ledger_entries_tenant_position_foreign')
        table.dropIndex(['position_id'], 'ledger_entries_position_id_index')
        table.dropColumn('position_id')
      })
    } else {
      this.schema.raw('DROP INDEX IF EXISTS ledger_entries_position_id_index')
      this.schema.raw('ALTER TABLE ledger_entries DROP COLUMN position_id')
    }
  }
}
