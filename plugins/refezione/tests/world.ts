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
