import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The money of every service (DESIGN.md, Money):
 * - ledger_entries: charges, payments and adjustments per paying person, in integer cents, never
 *   edited or deleted (a correction is a new adjustment). `entry_key` makes posting idempotent.
 * - billing_runs: one post-paid billing run per tenant, service and period, with its progress.
 * - payment_positions: the pagoPA debt position of one payer for one run (its NAV/IUV taken from
 *   the gap-free sequence in the transaction that writes it), and what happened to it.
 * - payment_position_items: which charges a position asks for (the ledger itself stays immutable).
 * - payment_position_steps: each step of a position after its creation (published, notified,
 *   paid, reminder, letter), once each.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('ledger_entries', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('entry_key', 200).notNullable()
      // charge (+), payment (−), adjustment (±)
      table.string('kind', 16).notNullable()
      table.integer('payer_user_id').unsigned().notNullable().references('id').inTable('users')
      table.integer('enrolment_id').unsigned().nullable().references('id').inTable('enrolments')
      table.string('service', 60).notNullable()
      // YYYY-MM
      table.string('period', 7).nullable()
      table.bigInteger('amount_cents').notNullable()
      table.string('quantity', 20).nullable()
      table.bigInteger('unit_cents').nullable()
      table.string('description', 300).notNullable()
      table.text('details').nullable()
      table.string('actor_label', 200).notNullable()
      table.timestamp('created_at').notNullable()
      table.unique(['tenant_id', 'entry_key'])
      table.index(['tenant_id', 'payer_user_id'])
      table.index(['tenant_id', 'enrolment_id'])
      table.index(['tenant_id', 'service', 'period'])
    })

    this.schema.createTable('billing_runs', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('service', 60).notNullable()
      table.string('period', 7).notNullable()
      // collecting → collected (positions being published and notified) | failed
      table.string('status', 16).notNullable()
      table.integer('payers').nullable()
      table.integer('charges').notNullable().defaultTo(0)
      table.bigInteger('total_cents').notNullable().defaultTo(0)
      table.string('due_date', 10).notNullable()
      table.text('notes').nullable()
      table.string('error', 1000).nullable()
      table.integer('started_by_user_id').unsigned().nullable().references('id').inTable('users')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'service', 'period'])
    })

    this.schema.createTable('payment_positions', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('run_id').unsigned().nullable().references('id').inTable('billing_runs')
      table.integer('payer_user_id').unsigned().notNullable().references('id').inTable('users')
      table.string('service', 60).notNullable()
      table.string('period', 7).notNullable()
      table.string('iupd', 140).notNullable()
      table.string('iuv', 17).notNullable()
      table.string('nav', 18).notNullable()
      table.bigInteger('amount_cents').notNullable()
      table.bigInteger('paid_cents').notNullable().defaultTo(0)
      table.string('due_date', 10).notNullable()
      // pending → published → paid | partially_paid | cancelled
      table.string('status', 20).notNullable()
      table.string('notice_channel', 8).nullable()
      table.timestamp('paid_at').nullable()
      table.string('psp', 200).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'iupd'])
      table.unique(['tenant_id', 'iuv'])
      table.unique(['tenant_id', 'run_id', 'payer_user_id'])
      table.index(['tenant_id', 'payer_user_id'])
      table.index(['tenant_id', 'status', 'due_date'])
    })

    this.schema.createTable('payment_position_items', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('position_id').unsigned().notNullable().references('id').inTable('payment_positions')
      table.bigInteger('entry_id').unsigned().notNullable().references('id').inTable('ledger_entries')
      table.unique(['entry_id'])
      table.index(['position_id'])
    })

    this.schema.createTable('payment_position_steps', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('position_id').unsigned().notNullable().references('id').inTable('payment_positions')
      // published, notified, paid, reminder, letter
      table.string('step', 20).notNullable()
      table.text('details').nullable()
      table.timestamp('created_at').notNullable()
      table.unique(['position_id', 'step'])
    })
  }

  async down() {
    this.schema.dropTable('payment_position_steps')
    this.schema.dropTable('payment_position_items')
    this.schema.dropTable('payment_positions')
    this.schema.dropTable('billing_runs')
    this.schema.dropTable('ledger_entries')
  }
}
