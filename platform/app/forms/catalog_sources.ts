/**
 * The tenant's lists a form field takes its value from, other than schools and classes: a source
 * name (`"ui:options": { "source": "<list>", "filter": { "<key>": "/<field>" } }`) names a list of
 * entries (code, name, the entry it belongs to, attributes) kept in the catalog
 * (`catalog_entries`). The services' plugins declare their lists (`lists` in the manifest): which
 * filters each understands and how each narrows the list, so that the options the portal offers
 * and the check on submit are one rule. The platform names none of them.
 *
 * Pure: the lists come from a provider set at boot by the plugin registry, and the caller passes
 * the entries and the day.
 */
import type { Lang, ListEntry, PluginList } from '#sdk/types'

/** An entry's attributes: what its list declares (strings, months, text). */
export type EntryAttributes = Record<string, unknown>

export type CatalogEntryData = ListEntry

export type EntrySource = PluginList

export interface PluginSources {
  /** The lists the platform keeps for plugins, by source name. */
  lists: Record<string, EntrySource>
  /** The other source names plugins serve or name: their catalog kinds and plain sources. */
  others: readonly string[]
}

let provider: () => PluginSources = () => ({ lists: {}, others: [] })

/** Set by the plugin registry: the sources of the installed plugins. */
export function setPluginSourceProvider(next: () => PluginSources) {
  provider = next
}

/** Every list the installed plugins declare, by source name. */
export function entrySources(): Record<string, EntrySource> {
  return provider().lists
}

/** Source names plugins serve from their own tables or leave plain (not lists of the catalog). */
export function otherPluginSources(): readonly string[] {
  return provider().others
}

export function entrySource(source: string): EntrySource | undefined {
  const sources = provider().lists
  return Object.hasOwn(sources, source) ? sources[source] : undefined
}

export function isEntrySource(source: string): boolean {
  return entrySource(source) !== undefined
}

/** The entries of a source that the filter values allow (a filter without a value does not narrow). */
export function entriesFor(
  source: string,
  entries: readonly CatalogEntryData[],
  filter: Record<string, string | undefined>,
  today: string
): CatalogEntryData[] {
  const definition = entrySource(source)
  if (!definition) return []
  return entries.filter((entry) =>
    Object.entries(filter).every(([key, value]) => {
      const test = Object.hasOwn(definition.filters, key) ? definition.filters[key] : null
      return !test || value === undefined || value === '' || test(entry, value, today)
    })
  )
}

/** What the portal shows under a choice, as the list's plugin describes an entry. */
export function entryDescription(source: string, entry: CatalogEntryData, lang: Lang): string | null {
  return entrySource(source)?.describe?.(entry, lang) ?? null
}
