import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { PluginManifest } from '../../sdk/index.js'
import { validateManifest } from '#plugins/manifest_validator'
import { REPO_ROOT, loadDefaultForms, loadDefaultRuleSets } from '#services/default_content'

export interface LoadedPlugin {
  manifest: PluginManifest
  folder: string
}

/**
 * A plugin's entry: its TypeScript source when the platform itself runs from
 * source (ts-node, tests), the compiled index.js when it runs from the build
 * (`npm run build`), where no TypeScript loader exists.
 */
export const PLUGIN_ENTRY = import.meta.url.endsWith('.ts') ? 'index.ts' : 'index.js'

/**
 * Discovers plugins/* (or PLUGINS_DIR), imports each entry and validates
 * its manifest. Any invalid manifest stops the boot.
 */
export class PluginRegistry {
  #plugins = new Map<string, LoadedPlugin>()

  constructor(readonly pluginsDir = process.env.PLUGINS_DIR ?? join(REPO_ROOT, 'plugins')) {}

  async discover() {
    const [forms, rulesets] = await Promise.all([loadDefaultForms(), loadDefaultRuleSets()])
    const known = { forms: new Set(forms.keys()), rulesets: new Set(rulesets.keys()) }
    const folders = (await readdir(this.pluginsDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
    this.#plugins.clear()
    for (const folder of folders) {
      const entry = join(this.pluginsDir, folder, PLUGIN_ENTRY)
      if (!(await exists(entry))) continue
      const module = await import(pathToFileURL(entry).href)
      validateManifest(folder, module.default, known)
      this.#plugins.set(folder, { manifest: module.default, folder: join(this.pluginsDir, folder) })
    }
    return this
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

export function setPluginRegistry(next: PluginRegistry) {
  registry = next
}

export function pluginRegistry(): PluginRegistry {
  if (!registry) throw new Error('Plugin registry used before boot')
  return registry
}
