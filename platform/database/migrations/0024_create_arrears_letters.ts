import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The arrears letters sent (seed 000, "In caso di mancato pagamento"): one per position whose letter
 * went out, with its outgoing protocol registration (number, year, date, label), what it asked for
 * (the positions listed and the total owed) and the channel that carried it. The monthly report of
 * the letters sent reads this table.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('arrears_letters', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('position_id').unsigned().notNullable().references('id').inTable('payment_positions')
      table.integer('payer_user_id').unsigned().notNullable().references('id').inTable('users')
      table.integer('protocol_number').notNullable()
      table.integer('protocol_year').notNullable()
      table.string('protocol_date', 10).notNullable()
      table.string('protocol_label', 40).notNullable()
      // The positions the letter lists, each with what it still asked for: [{ id, owed_cents }].
      table.text('positions').notNullable()
      table.bigInteger('owed_cents').notNullable()
      // post, email; null when no channel could deliver it (the notice records why).
      table.string('channel', 20).nullable()
      table.string('sent_month', 7).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['position_id'])
      table.index(['tenant_id', 'sent_month'])
    })
  }

  async down() {
    this.schema.dropTable('arrears_letters')
  }
}
