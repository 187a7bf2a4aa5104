import { PluginSchema } from '@sportello/platform/sdk'

/**
 * The canteen's calendar, per tenant: school years, the weekdays each school (or one of its classes)
 * has the canteen, and the days it has none (regional holidays, strikes, trips, a single class out).
 * Attendance, kitchen orders and billing read it. Days are ISO strings (YYYY-MM-DD), compared as
 * text alike on SQLite and PostgreSQL; an empty string means "all" (every school, every class), so
 * unique keys hold on PostgreSQL too, where NULLs never collide.
 */
export default class extends PluginSchema {
  async up() {
    this.schema.createTable('refezione_school_years', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('code', 9).notNullable() // "2026/2027", as enrolments name it
      table.string('starts_on', 10).notNullable()
      table.string('ends_on', 10).notNullable()
      table.boolean('demo').notNullable().defaultTo(false)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'code'])
    })
    this.schema.createTable('refezione_service_days', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('school_year', 9).notNullable()
      table.string('school_code', 64).notNullable()
      table.string('class_year', 20).notNullable().defaultTo('')
      table.string('section', 20).notNullable().defaultTo('')
      table.string('weekdays', 20).notNullable() // ISO weekdays, "1,2,3,4,5"
      table.boolean('demo').notNullable().defaultTo(false)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'school_year', 'school_code', 'class_year', 'section'])
    })
    this.schema.createTable('refezione_closures', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('school_year', 9).notNullable()
      table.string('kind', 16).notNullable() // holiday, closure, strike, trip
      table.string('starts_on', 10).notNullable()
      table.string('ends_on', 10).notNullable()
      table.string('school_code', 64).notNullable().defaultTo('')
      table.string('class_year', 20).notNullable().defaultTo('')
      table.string('section', 20).notNullable().defaultTo('')
      table.string('reason', 200).notNullable()
      table.boolean('demo').notNullable().defaultTo(false)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['tenant_id', 'school_year', 'starts_on'])
    })
  }

  async down() {
    this.schema.dropTable('refezione_closures')
    this.schema.dropTable('refezione_service_days')
    this.schema.dropTable('refezione_school_years')
  }
}
