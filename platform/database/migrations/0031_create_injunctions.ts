import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Injunctions and the coercive-collection records (seed 000, arrears b and d): a payer's positions
 * still unpaid after the arrears letter are gathered in an injunction (ingiunzione di pagamento),
 * registered outgoing in the protocol; the injunctions still unpaid later are handed to coercive
 * collection in a fixed-width record (messa a ruolo). A position is in one injunction at most
 * (`injunction_positions.position_id` unique) and an injunction in one record at most, so issuing
 * again adds nothing twice.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('collection_records', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('number').notNullable()
      table.string('layout', 40).notNullable()
      table.integer('injunctions').notNullable()
      table.bigInteger('total_cents').notNullable()
      // The file as written (fixed-width lines, CRLF) and its CSV: bounded by the injunctions it holds.
      table.text('content').notNullable()
      table.text('csv').notNullable()
      table.integer('created_by').unsigned().nullable().references('id').inTable('users')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'number'])
    })
    this.schema.createTable('injunctions', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('year').notNullable()
      table.integer('number').notNullable()
      table.integer('payer_user_id').unsigned().notNullable().references('id').inTable('users')
      // issuing (recorded, its protocol registration under way), issued, paid (every position paid).
      table.string('status', 20).notNullable()
      // The positions it demands, each with what it still asked for: [{ id, iupd, nav, service, period, owed_cents }].
      table.text('positions').notNullable()
      table.bigInteger('owed_cents').notNullable()
      table.string('due_date', 10).notNullable()
      table.integer('protocol_number').nullable()
      table.integer('protocol_year').nullable()
      table.string('protocol_date', 10).nullable()
      table.string('protocol_label', 40).nullable()
      table.integer('issued_by').unsigned().nullable().references('id').inTable('users')
      table.bigInteger('collection_record_id').unsigned().nullable().references('id').inTable('collection_records')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'year', 'number'])
      table.index(['tenant_id', 'status'])
    })
    this.schema.createTable('injunction_positions', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.bigInteger('injunction_id').unsigned().notNullable().references('id').inTable('injunctions')
      table.integer('position_id').unsigned().notNullable().references('id').inTable('payment_positions')
      table.bigInteger('owed_cents').notNullable()
      table.timestamp('created_at').notNullable()
      table.unique(['position_id'])
      table.index(['injunction_id'])
    })
  }

  async down() {
    this.schema.dropTable('injunction_positions')
    this.schema.dropTable('injunctions')
    this.schema.dropTable('collection_records')
  }
}
