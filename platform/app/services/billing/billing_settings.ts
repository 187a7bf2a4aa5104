import { SettingsError } from '#services/tenants/settings_error'

/**
 * The `billing` block of a tenant's settings (PATCH /api/v1/t/:tenant), every field optional:
 *
 *   { "dueDays": 30, "runHour": 6, "reminderAfterDays": 15, "letterAfterDays": 30,
 *     "services": ["<service id>"], "taxonomy": "9/0101002IM/" }
 *
 * - dueDays: a position is due this many days after the run that created it.
 * - runHour: the hour (Europe/Rome) of the 1st of the month when the run of the month before starts.
 * - services: the services billed by the monthly run on its own (an operator may start any run by hand).
 * - reminderAfterDays: the reminder (sollecito) goes this many days after the due date of an unpaid
 *   position (the tender: "X days after the position was loaded"; 15 when not set).
 * - letterAfterDays: the arrears letter goes this many days after the reminder's day (due date +
 *   reminderAfterDays), if still unpaid and reminded.
 * - taxonomy: the pagoPA taxonomy code of the transfers ("tassonomia dei servizi di incasso"),
 *   9/0101002IM/ (school services) unless the ente uses another.
 */
export interface BillingSettings {
  dueDays: number
  runHour: number
  reminderAfterDays: number
  letterAfterDays: number
  services: string[]
  taxonomy: string
}

export const BILLING_DEFAULTS: BillingSettings = {
  dueDays: 30,
  runHour: 6,
  reminderAfterDays: 15,
  letterAfterDays: 30,
  services: [],
  taxonomy: '9/0101002IM/',
}

export class BillingSettingsError extends SettingsError {
  constructor(field: string, messages: { it: string; en: string }) {
    super('billing', field, messages)
    this.name = 'BillingSettingsError'
  }
}

const BOUNDS: Record<'dueDays' | 'runHour' | 'reminderAfterDays' | 'letterAfterDays', [number, number]> = {
  dueDays: [1, 365],
  runHour: [0, 23],
  reminderAfterDays: [0, 365],
  letterAfterDays: [1, 365],
}

export function parseBillingSettings(value: unknown): BillingSettings {
  if (value === undefined || value === null) return { ...BILLING_DEFAULTS }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BillingSettingsError('', { it: 'deve essere un oggetto', en: 'must be an object' })
  }
  const block = value as Record<string, unknown>
  const out: BillingSettings = { ...BILLING_DEFAULTS, services: [] }
  for (const [key, raw] of Object.entries(block)) {
    if (key === 'services') {
      if (
        !Array.isArray(raw) ||
        raw.length > 50 ||
        !raw.every((s) => typeof s === 'string' && /^[a-z][a-z0-9-]{0,59}$/.test(s))
      ) {
        throw new BillingSettingsError('services', {
          it: 'deve essere un elenco di identificativi di servizio (gli id dei plugin, es. "rette")',
          en: 'must be a list of service ids (the ids of their plugins, e.g. "rette")',
        })
      }
      out.services = [...new Set(raw as string[])]
      continue
    }
    if (key === 'taxonomy') {
      if (typeof raw !== 'string' || !/^\d\/[0-9A-Z]{7,}\/$/.test(raw) || raw.length > 40) {
        throw new BillingSettingsError('taxonomy', {
          it: 'deve essere un codice di tassonomia pagoPA come 9/0101002IM/',
          en: 'must be a pagoPA taxonomy code such as 9/0101002IM/',
        })
      }
      out.taxonomy = raw
      continue
    }
    const bounds = BOUNDS[key as keyof typeof BOUNDS]
    if (!bounds) {
      throw new BillingSettingsError(key, {
        it: `campo sconosciuto: sono ammessi ${[...Object.keys(BOUNDS), 'services', 'taxonomy'].join(', ')}`,
        en: `unknown field: allowed are ${[...Object.keys(BOUNDS), 'services', 'taxonomy'].join(', ')}`,
      })
    }
    if (!Number.isInteger(raw) || (raw as number) < bounds[0] || (raw as number) > bounds[1]) {
      throw new BillingSettingsError(key, {
        it: `deve essere un numero intero tra ${bounds[0]} e ${bounds[1]}`,
        en: `must be a whole number from ${bounds[0]} to ${bounds[1]}`,
      })
    }
    out[key as keyof typeof BOUNDS] = raw as number
  }
  return out
}
