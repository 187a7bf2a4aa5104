import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * On PostgreSQL the key from a position's items to their position, (tenant_id, position_id) →
 * payment_positions (tenant_id, id), may be checked later in a transaction instead of at each row:
 * the monthly run's batch (billing_batch_pg.ts) writes its items before its positions, with ids it
 * reserved from the positions' sequence, so that only the positions are written while the batch
 * holds the notice sequence's lock. The batch defers the key (SET CONSTRAINTS) until its positions
 * are written, then has it checked; everywhere else it is checked at each row, as before
 * (INITIALLY IMMEDIATE). An item whose position was never written is refused, and its batch with it.
 *
 * SQLite writes one transaction at a time and its run writes positions first: nothing changes there.
 */
const POSITION_ITEMS_KEY = 'payment_position_items_tenant_position_foreign'

export default class extends BaseSchema {
  async up() {
    if (this.db.dialect.name !== 'postgres') return
    this.schema.raw(
      `ALTER TABLE payment_position_items ALTER CONSTRAINT ${POSITION_ITEMS_KEY} DEFERRABLE INITIALLY IMMEDIATE`
    )
  }

  async down() {
    if (this.db.dialect.name !== 'postgres') return
    this.schema.raw(`ALTER TABLE payment_position_items ALTER CONSTRAINT ${POSITION_ITEMS_KEY} NOT DEFERRABLE`)
  }
}
