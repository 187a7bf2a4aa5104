import { posix } from 'node:path'
import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The base of every plugin migration. It refuses, before any statement runs, a table that does not
 * carry the plugin's prefix (`<plugin id, dashes as underscores>_`), so two plugins (or a plugin and
 * the platform) can never touch the same table. The owner of a migration is the plugin whose
 * `migrations` folder holds the file (see plugin_migrations.ts).
 */
export class PluginSchema extends BaseSchema {
  get schema() {
    return guardTables(super.schema, this.#prefix())
  }

  async execUp() {
    this.#prefix()
    return super.execUp()
  }

  async execDown() {
    this.#prefix()
    return super.execDown()
  }

  /** The `tenant_id` column every plugin table has: the owning tenant (its rows go when the tenant goes). */
  tenantColumn(table: TableBuilder) {
    return table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
  }

  #prefix(): string {
    // Lucid names a migration by its folder (as mounted, relative to the application root) and file.
    const owner = migrationOwner(posix.dirname(this.file))
    if (!owner) {
      throw new Error(
        `${this.file}: a PluginSchema migration must sit in the migrations folder a plugin manifest declares`
      )
    }
    return tablePrefix(owner)
  }
}

/** The table builder `createTable` hands its callback (knex's CreateTableBuilder). */
type TableBuilder = Parameters<NonNullable<Parameters<BaseSchema['schema']['createTable']>[1]>>[0]

/** `my-service` → `my_service_`. */
export function tablePrefix(pluginId: string) {
  return `${pluginId.replaceAll('-', '_')}_`
}

export class PluginTableNameError extends Error {
  constructor(
    readonly table: string,
    readonly prefix: string
  ) {
    super(`Plugin migrations may only touch their own tables: "${table}" must start with "${prefix}"`)
    this.name = 'PluginTableNameError'
  }
}

/** Schema builder methods whose leading arguments are table names. */
const TABLE_ARGUMENTS: Record<string, number> = {
  createTable: 1,
  createTableIfNotExists: 1,
  createTableLike: 2,
  table: 1,
  alterTable: 1,
  dropTable: 1,
  dropTableIfExists: 1,
  renameTable: 2,
}

function guardTables<T extends object>(schema: T, prefix: string): T {
  const proxy: T = new Proxy(schema, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof property !== 'string' || typeof value !== 'function') return value
      const count = TABLE_ARGUMENTS[property]
      if (count === undefined) return value
      return (...args: unknown[]) => {
        for (const name of args.slice(0, count)) {
          if (typeof name !== 'string' || !name.startsWith(prefix)) throw new PluginTableNameError(String(name), prefix)
        }
        const result = value.apply(target, args)
        return result === target ? proxy : result
      }
    },
  })
  return proxy
}

/** Migration folders (as mounted, relative to the application root) and the plugin that owns each. */
const owners = new Map<string, string>()

export function setMigrationOwner(folder: string, pluginId: string) {
  owners.set(folder, pluginId)
}

export function migrationOwner(folder: string): string | undefined {
  return owners.get(folder)
}
