import { PluginSchema } from '@sportello/platform/sdk'

/**
 * Attendance (Allegato A, "Rilevazione presenze via tablet"). Marks are a log: each carries the id
 * its device made, unique in the tenant, so a tablet that sends again after a lost connection never
 * counts twice; a child's day is the family's request with the marks applied in the device's order.
 * Who works where: a school_staff user is assigned to schools, a kitchen user to kitchens.
 */
export default class extends PluginSchema {
  async up() {
    this.schema.createTable('refezione_assignments', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.integer('user_id').notNullable()
      table.string('scope', 8).notNullable() // school, kitchen
      table.string('code', 64).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'user_id', 'scope', 'code'])
      table.index(['tenant_id', 'scope', 'code'])
    })
    this.schema.createTable('refezione_marks', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('device_mark_id', 64).notNullable()
      table.string('day', 10).notNullable()
      table.string('school_code', 64).notNullable()
      table.string('class_year', 20).notNullable().defaultTo('')
      table.string('section', 20).notNullable()
      table.integer('enrolment_id').notNullable()
      table.string('status', 8).nullable() // present, absent; null leaves it as it was
      table.boolean('plain').nullable()
      table.boolean('late_entry').nullable()
      table.boolean('early_exit').nullable()
      table.string('marked_at', 32).notNullable() // the device's time, ISO: the order marks apply in
      table.boolean('after_cutoff').notNullable().defaultTo(false)
      table.string('source', 8).notNullable() // tablet, paper
      table.integer('recorded_by').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'device_mark_id'])
      table.index(['tenant_id', 'day', 'school_code'])
    })
    this.schema.createTable('refezione_adult_meals', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('device_mark_id', 64).notNullable()
      table.string('day', 10).notNullable()
      table.string('school_code', 64).notNullable()
      table.string('slot', 5).notNullable() // "12:30"
      table.string('kind', 8).notNullable() // teacher, other
      table.integer('count').notNullable()
      table.string('marked_at', 32).notNullable()
      table.boolean('after_cutoff').notNullable().defaultTo(false)
      table.string('source', 8).notNullable()
      table.integer('recorded_by').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'device_mark_id'])
      table.index(['tenant_id', 'day', 'school_code'])
    })
    this.schema.createTable('refezione_class_days', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('day', 10).notNullable()
      table.string('school_code', 64).notNullable()
      table.string('class_year', 20).notNullable().defaultTo('')
      table.string('section', 20).notNullable()
      table.string('closed_at', 32).notNullable()
      table.integer('closed_by').nullable()
      table.boolean('after_cutoff').notNullable().defaultTo(false)
      table.string('source', 8).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'day', 'school_code', 'class_year', 'section'])
    })
  }

  async down() {
    this.schema.dropTable('refezione_class_days')
    this.schema.dropTable('refezione_adult_meals')
    this.schema.dropTable('refezione_marks')
    this.schema.dropTable('refezione_assignments')
  }
}
