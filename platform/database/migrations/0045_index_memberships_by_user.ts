import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A user's memberships are read by the user alone at login and by `/auth/me`, which the portal asks
 * at each page: the only key on memberships starts with the tenant, so each read went through every
 * membership of every tenant. A school's classes are read by their school (the catalog's classes,
 * and the cascade when a school is deleted) and were keyed by the tenant first too.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('memberships', (table) => {
      table.index(['user_id'], 'memberships_user_id_index')
    })
    this.schema.alterTable('school_classes', (table) => {
      table.index(['school_id'], 'school_classes_school_id_index')
    })
  }

  async down() {
    this.schema.alterTable('school_classes', (table) => {
      table.dropIndex(['school_id'], 'school_classes_school_id_index')
    })
    this.schema.alterTable('memberships', (table) => {
      table.dropIndex(['user_id'], 'memberships_user_id_index')
    })
  }
}
