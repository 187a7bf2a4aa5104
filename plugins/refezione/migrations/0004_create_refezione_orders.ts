import { PluginSchema } from '@sportello/platform/sdk'

/**
 * Kitchens (centri cottura), the schools each one cooks for, and the daily order frozen at the
 * cut-off (seed 000: bookings to the central system by 9:30). The order's counts are in clear (they
 * name no one); the named list of special diets is health data, encrypted at rest. Alerts tell the
 * school and the back office what the meal chain could not do by itself (a class left open, an order
 * not confirmed), one per thing and day.
 */
export default class extends PluginSchema {
  async up() {
    this.schema.createTable('refezione_kitchens', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('code', 64).notNullable()
      table.string('name', 200).notNullable()
      table.boolean('demo').notNullable().defaultTo(false)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'code'])
    })
    this.schema.createTable('refezione_kitchen_schools', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('kitchen_code', 64).notNullable()
      table.string('school_code', 64).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'school_code'])
      table.index(['tenant_id', 'kitchen_code'])
    })
    this.schema.createTable('refezione_orders', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('day', 10).notNullable()
      table.string('kitchen_code', 64).notNullable()
      table.string('status', 12).notNullable() // frozen, confirmed
      table.string('frozen_at', 32).notNullable()
      table.string('confirmed_at', 32).nullable()
      table.integer('confirmed_by').nullable()
      table.boolean('estimated').notNullable().defaultTo(false)
      table.integer('meals').notNullable()
      table.integer('revision').notNullable().defaultTo(1)
      table.text('lines').notNullable() // JSON: counts per class, per diet; adults per slot
      table.text('special_diets').nullable() // encrypted: the named list
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'day', 'kitchen_code'])
    })
    this.schema.createTable('refezione_order_changes', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.integer('order_id').notNullable()
      table.integer('revision').notNullable()
      table.integer('changed_by').nullable()
      table.string('reason', 500).notNullable()
      table.integer('meals_before').notNullable()
      table.integer('meals_after').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['tenant_id', 'order_id'])
    })
    this.schema.createTable('refezione_alerts', (table) => {
      table.increments('id')
      this.tenantColumn(table)
      table.string('day', 10).notNullable()
      table.string('kind', 32).notNullable() // class_not_closed, order_unconfirmed, school_without_kitchen
      table.string('school_code', 64).notNullable().defaultTo('')
      table.string('kitchen_code', 64).notNullable().defaultTo('')
      table.string('class_year', 20).notNullable().defaultTo('')
      table.string('section', 20).notNullable().defaultTo('')
      table.string('message', 500).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'day', 'kind', 'kitchen_code', 'school_code', 'class_year', 'section'])
    })
  }

  async down() {
    this.schema.dropTable('refezione_alerts')
    this.schema.dropTable('refezione_order_changes')
    this.schema.dropTable('refezione_orders')
    this.schema.dropTable('refezione_kitchen_schools')
    this.schema.dropTable('refezione_kitchens')
  }
}
