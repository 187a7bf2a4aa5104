import { DateTime } from '@sportello/platform/sdk'
import { pluginTestKit } from '@sportello/platform/sdk/testing'
import { ZONE, clock } from '../services/common.js'

/** The canteen's test world: a tenant with refezione, two schools, the calendar of 2026/2027. */
export const kit = pluginTestKit

export const SCHOOLS = [
  {
    code: 'alberoni',
    name: 'Scuola primaria Alberoni',
    order: 'primaria',
    services: ['refezione'],
    classes: [
      { year: '1', section: 'A' },
      { year: '2', section: 'B' },
    ],
  },
  {
    code: 'besurica',
    name: "Scuola dell'infanzia Besurica",
    order: 'infanzia',
    services: ['refezione'],
    classes: [{ year: null, section: 'A' }],
  },
]

/** Moves the plugin's clock to a time in Rome ("2026-12-01T09:00"); `resetClock` brings it back. */
export function setClock(isoInRome: string) {
  const at = DateTime.fromISO(isoInRome, { zone: ZONE })
  clock.now = () => at
}

export function resetClock() {
  clock.now = () => DateTime.now().setZone(ZONE)
}

export async function canteenTenant() {
  const tenant = await kit.tenant(['refezione'])
  await kit.schools(tenant, SCHOOLS)
  const operator = await kit.member(tenant, ['operator'])
  return { tenant, operator }
}

/** The school year 2026/2027 in the tenant's calendar (no holidays: tests add what they need). */
export async function schoolYear(tenant: Awaited<ReturnType<typeof kit.tenant>>) {
  const { default: SchoolYear } = await import('../models/school_year.js')
  await kit.as(tenant, 'refezione', () =>
    SchoolYear.create({ code: '2026/2027', startsOn: '2026-09-15', endsOn: '2027-06-30', demo: false })
  )
}

let childCounter = 0

/** A child enrolled in the canteen by `parent`, in a class of the test world. */
export async function child(
  tenant: Awaited<ReturnType<typeof kit.tenant>>,
  parentId: number,
  place: { school?: string; order?: string; classYear?: string | null; section?: string; diet?: string | null } = {}
) {
  childCounter++
  return kit.enrolment(tenant, 'refezione', {
    schoolYear: '2026/2027',
    applicantUserId: parentId,
    child: { firstName: `Bimbo${childCounter}`, lastName: 'Rossi' },
    schoolId: place.school ?? 'alberoni',
    section: place.section ?? 'A',
    details: {
      school_order: place.order ?? 'primaria',
      ...(place.classYear === null ? {} : { class_year: place.classYear ?? '1' }),
      ...(place.diet ? { diet: { requested: true, type: place.diet } } : {}),
    },
  })
}
