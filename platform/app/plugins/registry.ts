import { readdir, stat } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { PluginManifest } from '#sdk/types'
import { PluginManifestError, validateManifest } from '#plugins/manifest_validator'
import { REPO_ROOT, loadDefaultForms, loadDefaultRuleSets } from '#services/content/default_content'
import { setPluginSourceProvider, type EntrySource } from '#forms/catalog_sources'

export interface LoadedPlugin {
  manifest: PluginManifest
  folder: string
}

/** PLUGINS_DIR: one folder, or several separated by the path delimiter (":" on Linux). */
function defaultPluginDirs(): string[] {
  const configured = process.env.PLUGINS_DIR
  return configured ? configured.split(delimiter).filter(Boolean) : [join(REPO_ROOT, 'plugins')]
}

/**
 * A plugin's entry: its TypeScript source when the platform itself runs from
 * source (ts-node, tests), the compiled index.js when it runs from the build
 * (`npm run build`), where no TypeScript loader exists.
 */
export const PLUGIN_ENTRY = import.meta.url.endsWith('.ts') ? 'index.ts' : 'index.js'

/**
 * Discovers plugins/* (or the folders PLUGINS_DIR names), imports each entry and validates
 * its manifest. Any invalid manifest stops the boot.
 */
export class PluginRegistry {
  #plugins = new Map<string, LoadedPlugin>()
  readonly pluginsDirs: string[]

  constructor(pluginsDirs: string | string[] = defaultPluginDirs()) {
    this.pluginsDirs = Array.isArray(pluginsDirs) ? pluginsDirs : [pluginsDirs]
  }

  async discover() {
    const [forms, rulesets] = await Promise.all([loadDefaultForms(), loadDefaultRuleSets()])
    const known = { forms: new Set(forms.keys()), rulesets: new Set(rulesets.keys()) }
    const found: Array<{ name: string; dir: string }> = []
    for (const dir of this.pluginsDirs) {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) found.push({ name: entry.name, dir })
      }
    }
    found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    this.#plugins.clear()
    for (const { name, dir } of found) {
      const folder = join(dir, name)
      const entry = join(folder, PLUGIN_ENTRY)
      if (!(await exists(entry))) continue
      if (this.#plugins.has(name)) {
        throw new PluginManifestError(name, [
          `two plugins have this id: ${this.#plugins.get(name)!.folder} and ${folder}`,
        ])
      }
      const module = await import(pathToFileURL(entry).href)
      validateManifest(name, module.default, known)
      const manifest = module.default as PluginManifest
      if (manifest.migrations && !(await exists(join(folder, manifest.migrations)))) {
        throw new PluginManifestError(name, [`field "migrations": no folder "${manifest.migrations}" in ${folder}`])
      }
      this.#plugins.set(name, { manifest, folder })
    }
    this.#checkAcrossPlugins()
    return this
  }

  /** A source (catalog kind, list, plain source) is read by name: two plugins may not declare the same one. */
  #checkAcrossPlugins() {
    const sources = new Map<string, string>()
    for (const { manifest } of this.#plugins.values()) {
      const names = [
        ...Object.keys(manifest.catalog ?? {}).map((name) => ['catalog', name] as const),
        ...Object.keys(manifest.lists ?? {}).map((name) => ['lists', name] as const),
        ...(manifest.plainSources ?? []).map((name) => ['plainSources', name] as const),
      ]
      for (const [field, source] of names) {
        const other = sources.get(source)
        if (other) {
          throw new PluginManifestError(manifest.id, [
            `field "${field}.${source}": plugin "${other}" already declares a source of that name`,
          ])
        }
        sources.set(source, manifest.id)
      }
    }
  }

  /** The sources the installed plugins declare: their lists, and the names of the others. */
  sources() {
    const lists: Record<string, EntrySource> = {}
    const others: string[] = []
    for (const { manifest } of this.#plugins.values()) {
      Object.assign(lists, manifest.lists ?? {})
      others.push(...Object.keys(manifest.catalog ?? {}), ...(manifest.plainSources ?? []))
    }
    return { lists, others }
  }

  all(): LoadedPlugin[] {
    return [...this.#plugins.values()]
  }

  get(id: string): LoadedPlugin | undefined {
    return this.#plugins.get(id)
  }

  getOrFail(id: string): LoadedPlugin {
    const plugin = this.#plugins.get(id)
    if (!plugin) throw new UnknownPluginError(id)
    return plugin
  }
}

export class UnknownPluginError extends Error {
  constructor(readonly pluginId: string) {
    super(`No plugin "${pluginId}" is installed`)
  }
}

async function exists(path: string) {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

let registry: PluginRegistry | undefined

// The forms' checks and the catalog read the plugins' sources from the registry of the moment.
setPluginSourceProvider(() => (registry ? registry.sources() : { lists: {}, others: [] }))

export function setPluginRegistry(next: PluginRegistry) {
  registry = next
}

export function pluginRegistry(): PluginRegistry {
  if (!registry) throw new Error('Plugin registry used before boot')
  return registry
}
