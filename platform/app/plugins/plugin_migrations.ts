import { existsSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { LoadedPlugin } from '#plugins/registry'
import { setMigrationOwner } from '#plugins/plugin_schema'

/** Where the platform's own migrations are, relative to the application root. */
export const PLATFORM_MIGRATIONS = 'database/migrations'

export interface PluginMigrationFolder {
  pluginId: string
  absolute: string
  /** Relative to the application root: the name Lucid records for each file starts with it. */
  relative: string
}

/** The migration folders of the plugins that declare one, by plugin id. */
export function pluginMigrationFolders(plugins: LoadedPlugin[], appRoot: string): PluginMigrationFolder[] {
  return plugins
    .filter((p) => p.manifest.migrations)
    .sort((a, b) => (a.manifest.id < b.manifest.id ? -1 : a.manifest.id > b.manifest.id ? 1 : 0))
    .map((p) => {
      const absolute = join(p.folder, p.manifest.migrations!)
      return { pluginId: p.manifest.id, absolute, relative: relative(appRoot, absolute).split(sep).join('/') }
    })
}

type ConnectionsConfig = Record<string, { migrations?: { paths?: string[] } }>

/**
 * Adds the plugins' migration folders to every connection, after the platform's: `migration:run`
 * (and so `npm start` and the test bootstrap) runs the platform's migrations first, then each
 * plugin's by plugin id, each folder's files by name; `migration:rollback` undoes them in reverse.
 * Lucid keeps the order of the folders it is given and sorts files within each one.
 */
export function mountPluginMigrations(connections: ConnectionsConfig, plugins: LoadedPlugin[], appRoot: string) {
  const folders = pluginMigrationFolders(plugins, appRoot)
  for (const folder of folders) {
    if (!existsSync(folder.absolute)) {
      throw new Error(`Plugin "${folder.pluginId}": its migrations folder ${folder.absolute} does not exist`)
    }
    setMigrationOwner(folder.relative, folder.pluginId)
  }
  for (const connection of Object.values(connections)) {
    connection.migrations ??= {}
    // Folders mounted before are replaced, not added twice (the tests mount a second registry).
    const platform = (connection.migrations.paths ?? [PLATFORM_MIGRATIONS]).filter((p) => !mounted.has(p))
    connection.migrations.paths = [...platform, ...folders.map((f) => f.relative)]
  }
  mounted.clear()
  for (const folder of folders) mounted.add(folder.relative)
  return folders
}

const mounted = new Set<string>()
