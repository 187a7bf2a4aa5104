import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Server-side sessions and login throttling on the database (the embedded default; Redis holds
 * both when REDIS_URL is set), and the switch that ends a person's access at once.
 *  - sessions: the shape @adonisjs/session's database store reads; logging out deletes the row,
 *    so a copied cookie is worth nothing afterwards.
 *  - rate_limits: the shape @adonisjs/limiter's database store (rate-limiter-flexible) reads.
 *  - users.disabled_at: set, the user cannot log in and every request of an open session is
 *    refused with 401.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('sessions', (table) => {
      table.string('id').primary()
      table.text('data').notNullable()
      table.string('user_id').nullable().index()
      table.timestamp('expires_at').notNullable().index()
    })
    this.schema.createTable('rate_limits', (table) => {
      table.string('key', 255).primary()
      table.integer('points').notNullable().defaultTo(0)
      table.bigint('expire').nullable()
    })
    this.schema.alterTable('users', (table) => {
      table.timestamp('disabled_at').nullable()
    })
  }

  async down() {
    // Plain ALTER TABLE ... DROP COLUMN: the schema builder's SQLite way rebuilds `users`, which the
    // foreign keys of memberships and submissions refuse.
    this.schema.raw('ALTER TABLE users DROP COLUMN disabled_at')
    this.schema.dropTable('rate_limits')
    this.schema.dropTable('sessions')
  }
}
