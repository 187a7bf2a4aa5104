import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Enrolments: a child enrolled in a service for a school year, born from an
 * accepted submission (enrolment_service.ts). What the citizen portal shows
 * (Allegato C) is read from here, not from the submission's data.
 *
 * `isee`, `diet`, `tariff_facts` and `tariff_trace` are encrypted at rest
 * (text columns, see data_cipher.ts): the ISEE value, health and religion
 * (diets) and, in the facts and the trace, disability and foster care.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('enrolments', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      // The id of the plugin whose service it is, and the form it came through.
      table.string('service', 64).notNullable()
      table.string('form_key', 128).notNullable()
      // "2026/2027"; how it is derived: enrolment_service.ts, schoolYearOf.
      table.string('school_year', 9).notNullable()
      table
        .integer('submission_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('submissions')
        .onDelete('RESTRICT')
      table.integer('applicant_user_id').unsigned().notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table.string('child_first_name', 100).nullable()
      table.string('child_last_name', 100).nullable()
      table.string('child_fiscal_code', 16).nullable()
      table.boolean('child_unborn').notNullable().defaultTo(false)
      // Birth date, or the expected one for an unborn child (forms that enrol before birth).
      table.string('child_birth_date', 10).nullable()
      table.string('school_order', 64).nullable()
      table.string('school_id', 64).nullable()
      table.string('class_year', 20).nullable()
      table.string('section', 40).nullable()
      // Service-specific data shown to the family: attendance weeks, transport line and stop...
      table.text('details').nullable()
      table.text('isee').nullable()
      table.text('diet').nullable()
      table.string('tariff_amount', 32).nullable()
      table.string('tariff_ruleset', 128).nullable()
      table.integer('tariff_version').nullable()
      table.string('tariff_at', 10).nullable()
      table.text('tariff_result').nullable()
      table.text('tariff_facts').nullable()
      table.text('tariff_trace').nullable()
      // Why there is no tariff: no_tariff_rule, ruleset_missing, no_version_in_force, facts_invalid.
      table.string('tariff_missing_reason', 64).nullable()
      table.string('status', 16).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      // One enrolment per submission: accepting again updates it.
      table.unique(['tenant_id', 'submission_id'])
      table.index(['tenant_id', 'applicant_user_id'])
      table.index(['tenant_id', 'service', 'school_year'])
      table.index(['tenant_id', 'form_key', 'school_year', 'child_fiscal_code'])
    })
  }

  async down() {
    this.schema.dropTable('enrolments')
  }
}
