/**
 * The tenant's lists a form field takes its value from, other than schools and classes: a source
 * name (`"ui:options": { "source": "transport_stops", "filter": { "line": "/transport_line" } }`)
 * names a list of entries (code, name, the entry it belongs to, attributes) kept in the catalog
 * (`catalog_entries`). Each source says here which filters it understands and how each narrows the
 * list, so that the options the portal offers and the check on submit are one rule.
 *
 * Allegato B: the transport form indicates "la linea e la fermata"; the nursery forms let the family
 * choose "3 preferenze ... da un elenco di strutture che riporta: indirizzo, orari e fasce di età (in
 * base all'età del bambino alcune scelte si escludono)".
 *
 * Pure and browser-safe: the caller passes the entries and the day.
 */
import type { Lang } from '#forms/types'

export interface EntryAttributes {
  /** transport_lines: the school codes a line serves (none listed: every school). */
  schools?: string[]
  /** Facilities: the ages taken, in whole months, at the start of the educational year. */
  min_age_months?: number
  max_age_months?: number
  /** educational_structures: the services (nido, edugate) a facility runs the accessory service for. */
  services?: string[]
  address?: string
  hours?: string
}

export interface CatalogEntryData {
  code: string
  name: string
  parent: string | null
  attributes: EntryAttributes
  position: number
  active: boolean
}

type Filter = (entry: CatalogEntryData, value: string, today: string) => boolean

export interface EntrySource {
  /** The filter keys a form may name, and how each narrows the entries. */
  filters: Record<string, Filter>
  /** The attributes an entry may carry, and their kind. */
  attributes: Record<string, 'strings' | 'months' | 'text'>
  /** The source whose code an entry's `parent` is (a stop's line); none: entries have no parent. */
  parent?: string
  /** Said at the field when the value chosen is not one the filters allow. */
  mismatch: Record<Lang, string>
}

const listed = (key: 'schools' | 'services'): Filter => {
  return (entry, value) => {
    const list = entry.attributes[key]
    return !Array.isArray(list) || list.length === 0 || list.includes(value)
  }
}

/** The day attendance starts: 1 September of the school year the calls of `today` are for. */
export function attendanceStart(today: string): string {
  const [year, month] = today.split('-').map(Number)
  return `${month >= 3 ? year : year - 1}-09-01`
}

/** Whole months from a birth date to a day (negative before birth); null for a malformed date. */
export function ageInMonths(birth: string, day: string): number | null {
  const b = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth)
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!b || !d) return null
  let months = (Number(d[1]) - Number(b[1])) * 12 + (Number(d[2]) - Number(b[2]))
  if (Number(d[3]) < Number(b[3])) months -= 1
  return months
}

/** A facility takes the child when its age at the start of attendance is within its ages. */
const ageFits: Filter = (entry, birth, today) => {
  const age = ageInMonths(birth, attendanceStart(today))
  if (age === null) return true
  const { min_age_months: min, max_age_months: max } = entry.attributes
  return (typeof min !== 'number' || age >= min) && (typeof max !== 'number' || age <= max)
}

const FACILITY: Pick<EntrySource, 'attributes'> = {
  attributes: { min_age_months: 'months', max_age_months: 'months', address: 'text', hours: 'text' },
}

const AGE_MISMATCH: Record<Lang, string> = {
  it: "questa struttura non accoglie bambini dell'età indicata: scegline una dall'elenco.",
  en: 'this facility does not take children of the age given: choose one from the list.',
}

export const ENTRY_SOURCES: Record<string, EntrySource> = {
  transport_lines: {
    filters: { school: listed('schools') },
    attributes: { schools: 'strings' },
    mismatch: {
      it: "questa linea non serve la scuola scelta: scegline una dall'elenco.",
      en: 'this line does not serve the school chosen: choose one from the list.',
    },
  },
  transport_stops: {
    filters: { line: (entry, value) => entry.parent === value },
    attributes: {},
    parent: 'transport_lines',
    mismatch: {
      it: "questa fermata non è sulla linea scelta: scegline una dall'elenco.",
      en: 'this stop is not on the line chosen: choose one from the list.',
    },
  },
  nido_structures: {
    ...FACILITY,
    filters: { birth_date: ageFits, presumed_birth_date: ageFits },
    mismatch: AGE_MISMATCH,
  },
  edugate_structures: {
    ...FACILITY,
    filters: { birth_date: ageFits, presumed_birth_date: ageFits },
    mismatch: AGE_MISMATCH,
  },
  educational_structures: {
    attributes: { ...FACILITY.attributes, services: 'strings' },
    filters: { service: listed('services') },
    mismatch: {
      it: "questa struttura non offre il servizio per il servizio frequentato: scegline una dall'elenco.",
      en: 'this facility does not offer it for the service attended: choose one from the list.',
    },
  },
}

export function isEntrySource(source: string): boolean {
  return Object.hasOwn(ENTRY_SOURCES, source)
}

/** The entries of a source that the filter values allow (a filter without a value does not narrow). */
export function entriesFor(
  source: string,
  entries: readonly CatalogEntryData[],
  filter: Record<string, string | undefined>,
  today: string
): CatalogEntryData[] {
  const definition = ENTRY_SOURCES[source]
  if (!definition) return []
  return entries.filter((entry) =>
    Object.entries(filter).every(([key, value]) => {
      const test = Object.hasOwn(definition.filters, key) ? definition.filters[key] : null
      return !test || value === undefined || value === '' || test(entry, value, today)
    })
  )
}

/** What the portal shows under a choice: a facility's address, hours and ages. */
export function entryDescription(entry: CatalogEntryData, lang: Lang): string | null {
  const a = entry.attributes
  const parts: string[] = []
  if (a.address) parts.push(a.address)
  if (a.hours) parts.push(a.hours)
  if (typeof a.min_age_months === 'number' || typeof a.max_age_months === 'number') {
    const from = a.min_age_months ?? 0
    parts.push(
      typeof a.max_age_months === 'number'
        ? lang === 'it'
          ? `da ${from} a ${a.max_age_months} mesi`
          : `${from} to ${a.max_age_months} months`
        : lang === 'it'
          ? `da ${from} mesi`
          : `from ${from} months`
    )
  }
  return parts.length ? parts.join(' · ') : null
}
