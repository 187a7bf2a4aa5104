import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * - pagopa_notice_sequences: the last IUV base given per tenant. A caller takes the next one inside
 *   its own transaction (UPDATE … RETURNING), so a rolled-back position gives its number back and the
 *   committed numbers are consecutive.
 * - notices: each notice sent to a family, once per idempotency key, with its channel, outcome,
 *   provider id and attempts. The row is written before the provider is called.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('pagopa_notice_sequences', (table) => {
      table.integer('tenant_id').unsigned().notNullable().primary().references('id').inTable('tenants')
      table.bigInteger('last_base').notNullable().defaultTo(0)
      table.timestamp('updated_at').nullable()
    })

    this.schema.createTable('notices', (table) => {
      table.bigIncrements('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('idempotency_key', 200).notNullable()
      table.string('channel', 16).notNullable()
      // pending → sending → sent | failed | undeliverable | uncertain
      table.string('status', 16).notNullable()
      // Encrypted at rest (the recipient's fiscal code, phone or address; a subject may name a child).
      table.text('recipient').notNullable()
      table.text('subject').notNullable()
      /** What the notice is about, for the ledger and the back office: e.g. position / iupd. */
      table.string('ref_type', 32).nullable()
      table.string('ref_id', 100).nullable()
      table.string('provider_id', 200).nullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.string('last_error', 1000).nullable()
      table.timestamp('last_attempt_at').nullable()
      table.timestamp('sent_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'idempotency_key'])
      table.index(['tenant_id', 'ref_type', 'ref_id'])
      table.index(['tenant_id', 'status'])
    })
  }

  async down() {
    this.schema.dropTable('notices')
    this.schema.dropTable('pagopa_notice_sequences')
  }
}
