import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Staff who log in from a tenant's directory (LDAP / Active Directory) are linked to it: the tenant
 * whose directory vouches for them and their login name there. The link is how a later login finds
 * the same account, and it keeps one tenant's directory from ever logging in as an account it did
 * not create (a local account, or another tenant's staff, with the same e-mail).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('users', (table) => {
      table.integer('directory_tenant_id').unsigned().nullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('directory_login', 254).nullable()
      table.unique(['directory_tenant_id', 'directory_login'], { indexName: 'users_directory_login_unique' })
    })
  }

  async down() {
    this.schema.alterTable('users', (table) => {
      table.dropUnique(['directory_tenant_id', 'directory_login'], 'users_directory_login_unique')
      table.dropForeign(['directory_tenant_id'])
      table.dropColumn('directory_tenant_id')
      table.dropColumn('directory_login')
    })
  }
}
