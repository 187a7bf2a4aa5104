import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The reporting flows (flussi di rendicontazione, FdR) the ledger reconciled:
 * - payment_flows: one per tenant, flow id and revision, with the totals the flow declares and
 *   those its lines add up to, and the count and amount of each outcome.
 * - payment_flow_lines: each line (iuv + transfer) with its outcome (matched, partial, overpaid,
 *   unmatched, duplicated, revoked), the position it paid and the reason, for the office's list.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('payment_flows', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('flow_id', 60).notNullable()
      table.integer('revision').notNullable()
      table.string('psp_id', 60).notNullable()
      table.string('psp_name', 200).nullable()
      table.string('flow_date', 40).notNullable()
      table.string('regulation', 60).notNullable()
      table.string('regulation_date', 20).notNullable()
      table.integer('declared_count').notNullable()
      table.bigInteger('declared_sum_cents').notNullable()
      table.integer('computed_count').notNullable()
      table.bigInteger('computed_sum_cents').notNullable()
      table.boolean('totals_ok').notNullable()
      table.text('problems').nullable()
      table.text('summary').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'flow_id', 'revision'])
    })

    this.schema.createTable('payment_flow_lines', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.bigInteger('flow_row_id').unsigned().notNullable().references('id').inTable('payment_flows')
      table.integer('line_index').notNullable()
      table.string('iuv', 35).notNullable()
      table.string('iur', 35).notNullable()
      table.string('id_transfer', 2).notNullable()
      table.bigInteger('amount_cents').notNullable()
      table.string('pay_status', 20).notNullable()
      table.string('pay_date', 40).notNullable()
      table.string('outcome', 20).notNullable()
      table.bigInteger('difference_cents').notNullable()
      table.integer('position_id').unsigned().nullable().references('id').inTable('payment_positions')
      table.text('reason').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['tenant_id', 'iuv'])
      table.index(['tenant_id', 'outcome'])
      table.index(['flow_row_id'])
    })
  }

  async down() {
    this.schema.dropTable('payment_flow_lines')
    this.schema.dropTable('payment_flows')
  }
}
