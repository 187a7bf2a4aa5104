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
      // No foreign key: SQLite adds and drops only plain columns in place (a constrained one copies the
      // users table, which the foreign keys to it refuse); the login looks the tenant up by its slug.
      table.integer('directory_tenant_id').unsigned().nullable()
      table.string('directory_login', 254).nullable()
      table.unique(['directory_tenant_id', 'directory_login'], { indexName: 'users_directory_login_unique' })
    })
  }

  async down() {
    // Plain statements, as in 0014, 0019 and 0022; the unique key is a constraint on PostgreSQL, an index on SQLite.
    this.schema.raw(
      this.db.dialect.name === 'postgres'
        ? 'ALTER TABLE users DROP CONSTRAINT users_directory_login_unique'
        : 'DROP INDEX users_directory_login_unique'
    )
    this.schema.raw('ALTER TABLE users DROP COLUMN directory_login')
    this.schema.raw('ALTER TABLE users DROP COLUMN directory_tenant_id')
  }
}
