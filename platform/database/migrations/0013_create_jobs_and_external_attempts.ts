import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * `jobs`: the job queue's persistent side (a transactional outbox). A job is
 * written in the same transaction as the state it follows, so a crash can no
 * longer lose it. With the in-process driver the table is the queue itself
 * (waiting → running → completed | failed, with a lease); with BullMQ it is the
 * outbox a relay empties into Redis (waiting → dispatched). Times are epoch
 * milliseconds in bigint columns: one representation compared the same way on
 * SQLite and PostgreSQL, at the precision backoff and leases need.
 *
 * `external_attempts`: calls to outside systems that cannot be made
 * idempotent (a DOCAREA registration has no lookup by key, an email once sent
 * stays sent), recorded before the call and closed after it. An attempt left
 * `pending` by a run that died is not repeated blindly: it becomes
 * `needs_review` for an operator.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('jobs', (table) => {
      table.bigIncrements('id')
      // The queue's name: the drivers of one process, or of tests, never take each other's jobs.
      table.string('queue', 100).notNullable()
      // The job's identity (EnqueueOptions.jobId): enqueuing a key already here does nothing.
      table.string('key', 255).notNullable()
      table.string('name', 191).notNullable()
      table.text('payload').notNullable()
      table.integer('tenant_id').nullable()
      table.string('tenant_slug', 100).nullable()
      table.string('status', 16).notNullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.bigInteger('run_at').notNullable()
      table.string('locked_by', 100).nullable()
      table.bigInteger('locked_until').nullable()
      table.text('last_error').nullable()
      table.bigInteger('finished_at').nullable()
      table.bigInteger('enqueued_at').notNullable()
      table.unique(['queue', 'key'])
      table.index(['queue', 'status', 'run_at'])
    })

    this.schema.createTable('external_attempts', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().nullable().references('id').inTable('tenants').onDelete('CASCADE')
      // What was attempted ('protocol', 'mail') and its key, unique per kind.
      table.string('kind', 32).notNullable()
      table.string('key', 255).notNullable()
      // What it was for, e.g. submission 42: the listing links it, the history tells it.
      table.string('subject_type', 32).nullable()
      table.integer('subject_id').nullable()
      table.string('status', 16).notNullable()
      // The job run that made the call (its lease), or a one-off label outside jobs.
      table.string('owner', 150).notNullable()
      table.text('detail').nullable()
      table.text('result').nullable()
      table.bigInteger('started_at').notNullable()
      table.bigInteger('finished_at').nullable()
      table.unique(['kind', 'key'])
      table.index(['tenant_id', 'status'])
    })
  }

  async down() {
    this.schema.dropTable('external_attempts')
    this.schema.dropTable('jobs')
  }
}
