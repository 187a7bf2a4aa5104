import type { Lang, ListEntry, PluginList } from '@sportello/platform/sdk'

/**
 * The nurseries' facilities in the tenant's catalog. The nursery forms let the family choose "3
 * preferenze ... da un elenco di strutture che riporta: indirizzo, orari e fasce di età (in base
 * all'età del bambino alcune scelte si escludono)"; the accessory services (tempo prolungato, nido
 * estivo) are run by some facilities for the children of some services (nido, Edugate).
 */

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
function ageFits(entry: ListEntry, birth: string, today: string): boolean {
  const age = ageInMonths(birth, attendanceStart(today))
  if (age === null) return true
  const { min_age_months: min, max_age_months: max } = entry.attributes
  return (typeof min !== 'number' || age >= min) && (typeof max !== 'number' || age <= max)
}

/** What the portal shows under a facility: its address, hours and ages. */
export function describeFacility(entry: ListEntry, lang: Lang): string | null {
  const a = entry.attributes
  const parts: string[] = []
  if (typeof a.address === 'string' && a.address) parts.push(a.address)
  if (typeof a.hours === 'string' && a.hours) parts.push(a.hours)
  const min = typeof a.min_age_months === 'number' ? a.min_age_months : null
  const max = typeof a.max_age_months === 'number' ? a.max_age_months : null
  if (min !== null || max !== null) {
    const from = min ?? 0
    parts.push(
      max !== null
        ? lang === 'it'
          ? `da ${from} a ${max} mesi`
          : `${from} to ${max} months`
        : lang === 'it'
          ? `da ${from} mesi`
          : `from ${from} months`
    )
  }
  return parts.length ? parts.join(' · ') : null
}

/** The lowest age may not be above the highest. */
function agesInOrder(attributes: Record<string, unknown>) {
  const { min_age_months: min, max_age_months: max } = attributes
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    return {
      attribute: 'min_age_months',
      message: { it: "l'età minima supera la massima", en: 'the lowest age is above the highest' },
    }
  }
  return null
}

const FACILITY_ATTRIBUTES = {
  min_age_months: 'months',
  max_age_months: 'months',
  address: 'text',
  hours: 'text',
} as const

const AGE_MISMATCH = {
  it: "questa struttura non accoglie bambini dell'età indicata: scegline una dall'elenco.",
  en: 'this facility does not take children of the age given: choose one from the list.',
}

const facility = (title: { it: string; en: string }): PluginList => ({
  title,
  attributes: { ...FACILITY_ATTRIBUTES },
  filters: { birth_date: ageFits, presumed_birth_date: ageFits },
  mismatch: AGE_MISMATCH,
  describe: describeFacility,
  check: agesInOrder,
})

export const lists: Record<string, PluginList> = {
  nido_structures: facility({ it: "Nidi d'infanzia", en: 'Nurseries' }),
  edugate_structures: facility({ it: 'Strutture Edugate', en: 'Edugate facilities' }),
  educational_structures: {
    title: { it: 'Strutture educative', en: 'Educational facilities' },
    attributes: { ...FACILITY_ATTRIBUTES, services: 'strings' },
    filters: {
      service: (entry, value) => {
        const services = entry.attributes.services
        return !Array.isArray(services) || services.length === 0 || services.includes(value)
      },
    },
    mismatch: {
      it: "questa struttura non offre il servizio per il servizio frequentato: scegline una dall'elenco.",
      en: 'this facility does not offer it for the service attended: choose one from the list.',
    },
    describe: describeFacility,
    check: agesInOrder,
  },
}

/** Weeks of nido estivo: the family writes them; no list of weeks is kept yet. */
export const plainSources = ['summer_weeks']
