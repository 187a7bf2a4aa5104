import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The language a submission was sent in ('it' or 'en', from the request's Accept-Language):
 * the receipt PDF and the email after the sending speak it. Existing rows were sent in Italian.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('submissions', (table) => {
      table.string('lang', 2).notNullable().defaultTo('it')
    })
  }

  async down() {
    this.schema.alterTable('submissions', (table) => {
      table.dropColumn('lang')
    })
  }
}
