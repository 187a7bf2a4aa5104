import CatalogEntry from '#models/catalog_entry'
import School from '#models/school'
import SchoolClass from '#models/school_class'
import {
  entriesFor,
  entryDescription,
  entrySource,
  isEntrySource,
  type CatalogEntryData,
  type EntryAttributes,
} from '#forms/catalog_sources'
import { CATALOG_SOURCES } from '#forms/school_catalog'
import type { Lang } from '#forms/types'
import { todayInItaly } from '#services/definitions/ruleset_service'

/**
 * A source name → its options: one way for the portal to fill any field whose values come from the
 * tenant (`ui:options.source`), whether the list is the school catalog (schools, classes, sections)
 * or a list of catalog entries. A service that brings its own list declares it in its plugin
 * (`lists` in the manifest); nothing here names a service.
 */
export interface SourceOption {
  value: string
  label: string
  description: string | null
  active: boolean
}

export interface SourceAnswer {
  source: string
  /** False when the tenant keeps no list for this source: the field is then plain text. */
  managed: boolean
  options: SourceOption[]
}

export function isCatalogSource(source: string): boolean {
  return Object.hasOwn(CATALOG_SOURCES, source) || isEntrySource(source)
}

/** The filter keys a source understands (the rest of a query string is ignored). */
export function sourceFilters(source: string): readonly string[] {
  const list = entrySource(source)
  if (list) return Object.keys(list.filters)
  return CATALOG_SOURCES[source] ?? []
}

export async function sourceEntries(source: string, includeInactive: boolean): Promise<CatalogEntryData[]> {
  const query = CatalogEntry.query().where('source', source).orderBy('position', 'asc').orderBy('name', 'asc')
  if (!includeInactive) query.where('active', true)
  return (await query).map((row) => row.toData())
}

export async function sourceOptions(
  source: string,
  filter: Record<string, string | undefined>,
  lang: Lang,
  includeInactive = false
): Promise<SourceAnswer> {
  if (isEntrySource(source)) {
    const entries = await sourceEntries(source, includeInactive)
    const managed = includeInactive
      ? entries.length > 0
      : (await CatalogEntry.query().where('source', source).first()) !== null
    return {
      source,
      managed,
      options: entriesFor(source, entries, filter, todayInItaly()).map((e) => ({
        value: e.code,
        label: e.name,
        description: entryDescription(source, e, lang),
        active: e.active,
      })),
    }
  }
  if (source === 'schools') {
    const query = School.query().orderBy('name', 'asc')
    if (filter.order) query.where('order', filter.order)
    if (!includeInactive) query.where('active', true)
    const schools = (await query).filter((s) => !filter.service || s.services.includes(filter.service))
    return {
      source,
      managed: true,
      options: schools.map((s) => ({ value: s.code, label: s.name, description: s.address, active: s.active })),
    }
  }
  // classes and sections: of one school, so nothing until the school is chosen.
  const school = filter.school ? await School.query().where('code', filter.school).first() : null
  if (!school) return { source, managed: true, options: [] }
  const query = SchoolClass.query().where('school_id', school.id).orderBy('year', 'asc').orderBy('section', 'asc')
  if (!includeInactive) query.where('active', true)
  const rows = await query
  if (source === 'classes') {
    const years = [...new Set(rows.map((c) => c.year).filter((y): y is string => y !== null))]
    return {
      source,
      managed: true,
      options: years.map((y) => ({
        value: y,
        label: lang === 'it' ? `${y}ª` : `Year ${y}`,
        description: null,
        active: rows.some((c) => c.year === y && c.active),
      })),
    }
  }
  const sections = rows.filter((c) => !filter.year || c.year === filter.year)
  return {
    source,
    managed: true,
    options: [...new Set(sections.map((c) => c.section))].map((section) => ({
      value: section,
      label: section,
      description: null,
      active: sections.some((c) => c.section === section && c.active),
    })),
  }
}

export interface EntryInput {
  name: string
  parent?: string | null
  attributes?: EntryAttributes | null
  position?: number
  active?: boolean
}

/** A refused entry, with the field at fault and what to do, in Italian and English. */
export class EntryRefused extends Error {
  constructor(
    readonly field: string,
    readonly messages: Record<Lang, string>
  ) {
    super(messages.en)
  }
}

/** Checks an entry against its source: its attributes, and the parent it belongs to. */
async function check(source: string, input: EntryInput) {
  const definition = entrySource(source)!
  for (const [key, value] of Object.entries(input.attributes ?? {})) {
    const kind = Object.hasOwn(definition.attributes, key) ? definition.attributes[key] : null
    const allowed = Object.keys(definition.attributes).join(', ') || '—'
    if (!kind) {
      throw new EntryRefused(`attributes.${key}`, {
        it: `attributo sconosciuto per "${source}": sono ammessi ${allowed}`,
        en: `unknown attribute for "${source}": the allowed ones are ${allowed}`,
      })
    }
    const ok =
      kind === 'months'
        ? Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 240
        : kind === 'text'
          ? typeof value === 'string' && value.length <= 200
          : Array.isArray(value) &&
            value.length <= 200 &&
            value.every((v) => typeof v === 'string' && /^[a-z0-9][a-z0-9_-]{0,63}$/.test(v))
    if (!ok) {
      const expected = {
        months: { it: 'un numero intero di mesi tra 0 e 240', en: 'a whole number of months between 0 and 240' },
        text: { it: 'un testo di al massimo 200 caratteri', en: 'a text of 200 characters at most' },
        strings: { it: 'un elenco di codici (al massimo 200)', en: 'a list of codes (200 at most)' },
      }[kind]
      throw new EntryRefused(`attributes.${key}`, { it: `deve essere ${expected.it}`, en: `must be ${expected.en}` })
    }
  }
  const problem = definition.check?.(input.attributes ?? {})
  if (problem) throw new EntryRefused(`attributes.${problem.attribute}`, problem.message)
  if (definition.parent) {
    const parent = input.parent
    const found = parent
      ? await CatalogEntry.query().where('source', definition.parent).where('code', parent).first()
      : null
    if (!found) {
      throw new EntryRefused('parent', {
        it: `indicare in "parent" il codice di una voce di "${definition.parent}" già presente`,
        en: `"parent" must be the code of an existing "${definition.parent}" entry`,
      })
    }
  } else if (input.parent !== undefined && input.parent !== null) {
    throw new EntryRefused('parent', {
      it: `le voci di "${source}" non appartengono ad altre voci: togliere "parent"`,
      en: `"${source}" entries belong to no other entry: remove "parent"`,
    })
  }
}

/** Creates the entry, or changes the one with that code (audited either way); never deletes. */
export async function saveEntry(source: string, code: string, input: EntryInput) {
  await check(source, input)
  const row = (await CatalogEntry.query().where('source', source).where('code', code).first()) ?? new CatalogEntry()
  const created = !row.$isPersisted
  row.merge({
    source,
    code,
    name: input.name,
    parent: input.parent ?? null,
    attributes: input.attributes ?? null,
    position: input.position ?? row.position ?? 0,
    active: input.active ?? (created ? true : row.active),
  })
  await row.save()
  return { entry: row.toData(), created }
}

/** Creates what is missing of the given entries, leaving what exists (the demo seeder, the tests). */
export async function ensureEntries(seeds: ReadonlyArray<{ source: string; code: string } & EntryInput>) {
  for (const seed of seeds) {
    const exists = await CatalogEntry.query().where('source', seed.source).where('code', seed.code).first()
    if (!exists) await saveEntry(seed.source, seed.code, seed)
  }
}
