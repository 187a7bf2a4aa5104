/**
 * Form fields whose values come from the tenant's data (forms/README.md: `"ui:options": { "source":
 * "schools", "filter": { ... } }`), and the check of the school ones against the tenant's school
 * catalog. Allegato B (the canteen and transport forms): the school is chosen "con tendina dall'elenco
 * delle scuole con servizio mensa" once the order of school is chosen, then class and section.
 *
 * Pure and browser-safe: the caller loads the catalog once (platform/app/services/tenants/school_catalog_service.ts)
 * and passes it in, so the same check runs in unit tests without a database.
 */
import type { CatalogClass, CatalogSchool, FormDefinition, FormError, Lang, SchoolCatalog } from '#forms/types'
import { getAt, isPlainObject, joinPointer, labelAt, parsePointer } from '#forms/json_pointer'
import {
  entriesFor,
  entrySource,
  isEntrySource,
  otherPluginSources,
  type CatalogEntryData,
} from '#forms/catalog_sources'

/** Orders of school a catalog entry can have; the forms' `school_order` enums are subsets of it. */
export const SCHOOL_ORDERS = ['nido', 'infanzia', 'primaria', 'secondaria_primo_grado'] as const
export type SchoolOrder = (typeof SCHOOL_ORDERS)[number]

export const ORDER_LABELS: Record<SchoolOrder, Record<Lang, string>> = {
  nido: { it: "Nido d'infanzia", en: 'Nursery (nido)' },
  infanzia: { it: "Scuola dell'infanzia", en: 'Pre-school (scuola dell’infanzia)' },
  primaria: { it: 'Scuola primaria', en: 'Primary school' },
  secondaria_primo_grado: { it: 'Scuola secondaria di primo grado', en: 'Lower secondary school' },
}

/**
 * Sources backed by the school catalog, with the filter keys each understands:
 * - schools: `order` (the school's order) and `service` (a service that serves the school);
 * - classes: `school` (the school code) — the value is a class year of that school;
 * - sections: `school`, optionally `year` — the value is a section of that school (and year).
 *   Nursery forms filter sections by `structure` (an educational structure): those are not in the
 *   school catalog, so such a field is not checked here.
 */
export const CATALOG_SOURCES: Record<string, readonly string[]> = {
  schools: ['order', 'service'],
  classes: ['school'],
  sections: ['school', 'year', 'structure'],
}

/**
 * Sources the forms name whose data is not in the catalog: the citizen's enrolled children,
 * countries, municipalities. Their fields are plain strings to the server until their own data
 * lands. (The services' own lists are declared by their plugins: catalog_sources.ts.)
 */
export const OTHER_SOURCES: readonly string[] = ['enrolled_children', 'countries', 'municipalities']

export function isKnownSource(source: string): boolean {
  return (
    Object.prototype.hasOwnProperty.call(CATALOG_SOURCES, source) ||
    isEntrySource(source) ||
    OTHER_SOURCES.includes(source) ||
    otherPluginSources().includes(source)
  )
}

export type { CatalogClass, CatalogSchool, SchoolCatalog }

export function catalogFrom(
  schools: CatalogSchool[],
  entries: Record<string, CatalogEntryData[]> = {},
  today?: string
): SchoolCatalog {
  const byCode = new Map(schools.map((s) => [s.code, s]))
  return {
    school: (code) => byCode.get(code),
    entries: (source) => (Object.hasOwn(entries, source) ? entries[source] : []),
    today,
  }
}

export interface SourceField {
  /** JSON Pointer of the field; "*" stands for every item of a list. */
  pointer: string
  source: string
  filter: Record<string, unknown>
}

/** Every field of a uiSchema carrying `ui:options.source`, with its filter. */
export function sourceFields(ui: unknown, pointer = ''): SourceField[] {
  if (!isPlainObject(ui)) return []
  const out: SourceField[] = []
  const options = ui['ui:options']
  if (pointer !== '' && isPlainObject(options) && typeof options.source === 'string') {
    out.push({ pointer, source: options.source, filter: isPlainObject(options.filter) ? options.filter : {} })
  }
  for (const [key, value] of Object.entries(ui)) {
    if (key.startsWith('ui:') || !isPlainObject(value)) continue
    out.push(...sourceFields(value, key === 'items' ? `${pointer}/*` : joinPointer(pointer, key)))
  }
  return out
}

/** The concrete paths of a pointer with "*" segments, with the value found at each. */
function expand(data: unknown, pointer: string): Array<[string, unknown]> {
  let current: Array<[string, unknown]> = [['', data]]
  for (const seg of parsePointer(pointer)) {
    const next: Array<[string, unknown]> = []
    for (const [path, value] of current) {
      if (seg === '*') {
        if (Array.isArray(value)) value.forEach((item, i) => next.push([joinPointer(path, i), item]))
      } else if (isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, seg)) {
        next.push([joinPointer(path, seg), value[seg]])
      }
    }
    current = next
  }
  return current
}

/** Every filled value of a catalog-backed field in the data: where it is, from which source. */
export function sourceValues(form: Pick<FormDefinition, 'uiSchema'>, data: unknown) {
  const out: Array<{ path: string; source: string; value: string }> = []
  for (const field of sourceFields(form.uiSchema)) {
    for (const [path, value] of expand(data, field.pointer)) {
      if (filled(value)) out.push({ path, source: field.source, value })
    }
  }
  return out
}

/** A filter value: a string starting with "/" points into the data, anything else is itself. */
export function filterValue(data: unknown, value: unknown): unknown {
  return typeof value === 'string' && value.startsWith('/') ? getAt(data, value) : value
}

function filled(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

type Rule = 'unknown' | 'inactive' | 'order' | 'service'

type Template = Record<Lang, (p: { order: string }) => string>

/** classes and sections can only be unknown or inactive; schools also mismatch their filter. */
const MESSAGES: Record<string, Partial<Record<Rule, Template>>> = {
  schools: {
    unknown: {
      it: () => "scuola non presente nell'elenco del Comune: sceglila dall'elenco proposto.",
      en: () => "this school is not in the comune's list: choose it from the list offered.",
    },
    inactive: {
      it: () => "questa scuola non è più disponibile: scegline un'altra dall'elenco.",
      en: () => 'this school is no longer available: choose another one from the list.',
    },
    order: {
      it: (p) =>
        `la scuola scelta non è dell'ordine indicato (${p.order}): scegli una scuola di quell'ordine o correggi l'ordine di scuola.`,
      en: (p) =>
        `the school chosen is not of the level given (${p.order}): choose a school of that level or correct the level.`,
    },
    service: {
      it: () => "la scuola scelta non ha questo servizio: scegline una dall'elenco delle scuole servite.",
      en: () => 'the school chosen does not have this service: choose one from the list of schools served.',
    },
  },
  classes: {
    unknown: {
      it: () => "classe non presente nella scuola scelta: sceglila dall'elenco.",
      en: () => 'this class does not exist in the school chosen: choose it from the list.',
    },
    inactive: {
      it: () => "questa classe non è più attiva nella scuola scelta: scegline un'altra dall'elenco.",
      en: () => 'this class is no longer active in the school chosen: choose another one from the list.',
    },
  },
  sections: {
    unknown: {
      it: () => "sezione non presente nella scuola (e nella classe) scelta: sceglila dall'elenco.",
      en: () => 'this section does not exist in the school (and class) chosen: choose it from the list.',
    },
    inactive: {
      it: () => "questa sezione non è più attiva nella scuola scelta: scegline un'altra dall'elenco.",
      en: () => 'this section is no longer active in the school chosen: choose another one from the list.',
    },
  },
}

function orderLabel(order: string, lang: Lang): string {
  return (ORDER_LABELS as Record<string, Record<Lang, string>>)[order]?.[lang] ?? order
}

/**
 * Errors for the values of catalog-backed fields that the tenant's catalog does not hold, or holds
 * only as inactive, or that do not match their filter. An empty or missing value is left to the
 * schema (`required`); a class or section is checked only once its school is a known one, so a
 * wrong school is reported once, on the school field.
 */
export function catalogErrors(form: FormDefinition, data: unknown, catalog: SchoolCatalog, lang: Lang): FormError[] {
  if (!isPlainObject(data)) return []
  const out: FormError[] = []
  for (const field of sourceFields(form.uiSchema)) {
    if (isEntrySource(field.source)) {
      out.push(...entryErrors(form, data, field, catalog, lang))
      continue
    }
    if (!Object.prototype.hasOwnProperty.call(CATALOG_SOURCES, field.source)) continue
    for (const [path, value] of expand(data, field.pointer)) {
      if (!filled(value)) continue
      const rule = checkValue(field, value, data, catalog)
      if (!rule) continue
      const order = filterValue(data, field.filter.order)
      const label = labelAt(form.schema, path, lang)
      const template = MESSAGES[field.source][rule] ?? MESSAGES.schools[rule]!
      const text = template[lang]({ order: orderLabel(String(order), lang) })
      out.push({ path, rule: `catalog:${rule}`, message: label ? `«${label}»: ${text}` : text })
    }
  }
  return out
}

const ENTRY_MESSAGES: Record<'unknown' | 'inactive', Record<Lang, string>> = {
  unknown: {
    it: "valore non presente nell'elenco dell'ente: sceglilo dall'elenco proposto.",
    en: 'this value is not in the list of the body: choose it from the list offered.',
  },
  inactive: {
    it: "questa voce non è più disponibile: scegline un'altra dall'elenco.",
    en: 'this entry is no longer available: choose another one from the list.',
  },
}

/**
 * The values of a field whose list is kept in the catalog. Only where the tenant has such a list:
 * a tenant that has not loaded one keeps its values as plain text.
 */
function entryErrors(
  form: FormDefinition,
  data: Record<string, unknown>,
  field: SourceField,
  catalog: SchoolCatalog,
  lang: Lang
): FormError[] {
  const entries = catalog.entries?.(field.source) ?? []
  if (entries.length === 0) return []
  const today = catalog.today ?? new Date().toISOString().slice(0, 10)
  const filter: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(field.filter)) {
    const resolved = filterValue(data, value)
    filter[key] = filled(resolved) ? resolved : undefined
  }
  const allowed = new Set(entriesFor(field.source, entries, filter, today).map((e) => e.code))
  const out: FormError[] = []
  for (const [path, value] of expand(data, field.pointer)) {
    if (!filled(value)) continue
    const entry = entries.find((e) => e.code === value)
    const rule = !entry ? 'unknown' : !entry.active ? 'inactive' : allowed.has(value) ? null : 'filter'
    if (!rule) continue
    const text = rule === 'filter' ? entrySource(field.source)!.mismatch[lang] : ENTRY_MESSAGES[rule][lang]
    const label = labelAt(form.schema, path, lang)
    out.push({ path, rule: `catalog:${rule}`, message: label ? `«${label}»: ${text}` : text })
  }
  return out
}

function checkValue(field: SourceField, value: string, data: unknown, catalog: SchoolCatalog): Rule | null {
  if (field.source === 'schools') {
    const school = catalog.school(value)
    if (!school) return 'unknown'
    if (!school.active) return 'inactive'
    const order = filterValue(data, field.filter.order)
    if (filled(order) && school.order !== order) return 'order'
    const service = filterValue(data, field.filter.service)
    if (filled(service) && !school.services.includes(service)) return 'service'
    return null
  }
  // classes and sections: only where they are filtered by a school of the catalog.
  if (field.filter.school === undefined) return null
  const code = filterValue(data, field.filter.school)
  const school = filled(code) ? catalog.school(code) : undefined
  if (!school) return null
  let matches: CatalogClass[]
  if (field.source === 'classes') {
    matches = school.classes.filter((c) => c.year === value)
  } else {
    const year = filterValue(data, field.filter.year)
    matches = school.classes.filter((c) => c.section === value && (!filled(year) || c.year === year))
  }
  if (matches.length === 0) return 'unknown'
  return matches.some((c) => c.active) ? null : 'inactive'
}

/** Problems of the source hints of a form (contract tests): unknown source, unknown filter key, dangling pointer. */
export function sourceProblems(form: FormDefinition, exists: (pointer: string) => boolean): string[] {
  const problems: string[] = []
  for (const field of sourceFields(form.uiSchema)) {
    if (!isKnownSource(field.source)) {
      problems.push(`${field.pointer}: unknown source "${field.source}"`)
      continue
    }
    const list = entrySource(field.source)
    const keys = list ? Object.keys(list.filters) : CATALOG_SOURCES[field.source]
    for (const [key, value] of Object.entries(field.filter)) {
      if (keys && !keys.includes(key))
        problems.push(`${field.pointer}: source "${field.source}" has no filter "${key}"`)
      if (typeof value === 'string' && value.startsWith('/') && !exists(value))
        problems.push(`${field.pointer}: filter "${key}" points to ${value}, which is not a field of the form`)
    }
  }
  return problems
}
