import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The comune's schools (plessi) and their class groups (year + section): the lists the enrolment
 * forms offer as dropdowns and the server checks submissions against (Allegato B: "per ogni ordine
 * di scuola è da selezionare il plesso con tendina dall'elenco delle scuole con servizio mensa").
 * Rows are deactivated, never deleted: past submissions keep naming them.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('schools', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('code', 64).notNullable()
      table.string('name', 200).notNullable()
      table.string('order', 32).notNullable()
      table.json('services').notNullable()
      table.string('address', 200).nullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.unique(['tenant_id', 'code'])
      table.index(['tenant_id', 'order'])
    })
    this.schema.createTable('school_classes', (table) => {
      table.increments('id')
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.integer('school_id').unsigned().notNullable().references('id').inTable('schools').onDelete('CASCADE')
      // Null where the order has no years (e.g. sections of a scuola dell'infanzia).
      table.string('year', 20).nullable()
      table.string('section', 20).notNullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
      table.index(['tenant_id', 'school_id'])
    })
  }

  async down() {
    this.schema.dropTable('school_classes')
    this.schema.dropTable('schools')
  }
}
