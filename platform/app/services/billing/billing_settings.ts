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
 * - reminderFrom: the day the reminder's days count from: "due" (the due date, the default) or
 *   "loaded" (the day the position was loaded on pagoPA, as Allegato A words it: "a distanza di X
 *   giorni ... dalla data di caricamento della posizione di pagamento").
 * - letterPeriod: how often the arrears letters are extracted (Allegato A: "con periodicità
 *   configurabile (es. mensile, trimestrale, quadrimestrale o semestrale)"): "monthly", "quarterly",
 *   "four_monthly", "six_monthly", or null (the default) for every day, each letter on its own day.
 *   With a period, the letters of a period go together on its first day the daily job runs
 *   (1 January, 1 April, ... for quarterly), for the positions then past their letter day.
 * - debtBlocksEnrolment: applications are refused while the applicant has positions unpaid
 *   `debtBlockAfterDays` days after their due date (the forms' BLOCCO "debito_scaduto" reads it).
 *   Off by default: the tender lets the comune suspend the service and recover the credit
 *   (Allegato B, "in caso di mancato pagamento della tariffa attribuita"), it does not refuse the
 *   application; a comune that does turns it on.
 * - injunctionAfterDays: an injunction may be issued this many days after the arrears letter's
 *   protocol date, the positions still unpaid (seed 000, arrears b; 30 when not set). The office may
 *   name other days for one issue.
 * - injunctionMinCents: a payer owing less than this in all is not issued an injunction (0, the
 *   default: any amount); the positions stay in the arrears and count for a later one.
 * - injunctionPayDays: the days an injunction gives to pay, its due date and its position's (30).
 * - recordAfterDays: an injunction still unpaid this many days after its protocol date goes to
 *   the coercive-collection record (seed 000, arrears d; 30).
 * - prepaid: the services run pre-paid (the family's account is topped up by pagoPA and each day's
 *   meals are debited from it); every other service is post-paid (billed by the monthly run).
 * - lowBalanceCents: under this credit the family of a pre-paid service is alerted (1000: 10 euro).
 * - topUpMinCents, topUpMaxCents: the bounds of a top-up the family chooses (5 to 500 euro).
 * - taxonomy: the pagoPA taxonomy code of the transfers ("tassonomia dei servizi di incasso"),
 *   9/0101002IM/ (school services) unless the ente uses another.
 */
export interface BillingSettings {
  dueDays: number
  runHour: number
  reminderAfterDays: number
  letterAfterDays: number
  reminderFrom: ReminderFrom
  letterPeriod: LetterPeriod | null
  debtBlocksEnrolment: boolean
  debtBlockAfterDays: number
  injunctionAfterDays: number
  injunctionMinCents: number
  injunctionPayDays: number
  recordAfterDays: number
  services: string[]
  prepaid: string[]
  lowBalanceCents: number
  topUpMinCents: number
  topUpMaxCents: number
  taxonomy: string
}

export const REMINDER_FROM = ['due', 'loaded'] as const
export type ReminderFrom = (typeof REMINDER_FROM)[number]
/** The letter periods and their length in months (Allegato A: monthly, quarterly, four-monthly, six-monthly). */
export const LETTER_PERIODS = { monthly: 1, quarterly: 3, four_monthly: 4, six_monthly: 6 } as const
export type LetterPeriod = keyof typeof LETTER_PERIODS

export const BILLING_DEFAULTS: BillingSettings = {
  dueDays: 30,
  runHour: 6,
  reminderAfterDays: 15,
  letterAfterDays: 30,
  reminderFrom: 'due',
  letterPeriod: null,
  debtBlocksEnrolment: false,
  debtBlockAfterDays: 0,
  injunctionAfterDays: 30,
  injunctionMinCents: 0,
  injunctionPayDays: 30,
  recordAfterDays: 30,
  services: [],
  prepaid: [],
  lowBalanceCents: 1000,
  topUpMinCents: 500,
  topUpMaxCents: 50_000,
  taxonomy: '9/0101002IM/',
}

export class BillingSettingsError extends SettingsError {
  constructor(at: readonly string[], messages: { it: string; en: string }) {
    super('billing', at, messages)
    this.name = 'BillingSettingsError'
  }
}

const BOUNDS: Record<
  | 'dueDays'
  | 'runHour'
  | 'reminderAfterDays'
  | 'letterAfterDays'
  | 'debtBlockAfterDays'
  | 'injunctionAfterDays'
  | 'injunctionMinCents'
  | 'injunctionPayDays'
  | 'recordAfterDays'
  | 'lowBalanceCents'
  | 'topUpMinCents'
  | 'topUpMaxCents',
  [number, number]
> = {
  dueDays: [1, 365],
  lowBalanceCents: [0, 100_000_00],
  topUpMinCents: [100, 100_000_00],
  topUpMaxCents: [100, 100_000_00],
  runHour: [0, 23],
  reminderAfterDays: [0, 365],
  letterAfterDays: [1, 365],
  debtBlockAfterDays: [0, 365],
  injunctionAfterDays: [0, 3650],
  injunctionMinCents: [0, 100_000_00],
  injunctionPayDays: [1, 365],
  recordAfterDays: [0, 3650],
}

const OTHER_FIELDS = ['services', 'prepaid', 'taxonomy', 'reminderFrom', 'letterPeriod', 'debtBlocksEnrolment']

export function parseBillingSettings(value: unknown): BillingSettings {
  if (value === undefined || value === null) return { ...BILLING_DEFAULTS }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BillingSettingsError([], { it: 'deve essere un oggetto', en: 'must be an object' })
  }
  const block = value as Record<string, unknown>
  const out: BillingSettings = { ...BILLING_DEFAULTS, services: [], prepaid: [] }
  for (const [key, raw] of Object.entries(block)) {
    if (key === 'services' || key === 'prepaid') {
      if (
        !Array.isArray(raw) ||
        raw.length > 50 ||
        !raw.every((s) => typeof s === 'string' && /^[a-z][a-z0-9-]{0,59}$/.test(s))
      ) {
        throw new BillingSettingsError([key], {
          it: 'deve essere un elenco di identificativi di servizio (gli id dei plugin, es. "rette")',
          en: 'must be a list of service ids (the ids of their plugins, e.g. "rette")',
        })
      }
      out[key] = [...new Set(raw as string[])]
      continue
    }
    if (key === 'taxonomy') {
      if (typeof raw !== 'string' || !/^\d\/[0-9A-Z]{7,}\/$/.test(raw) || raw.length > 40) {
        throw new BillingSettingsError(['taxonomy'], {
          it: 'deve essere un codice di tassonomia pagoPA come 9/0101002IM/',
          en: 'must be a pagoPA taxonomy code such as 9/0101002IM/',
        })
      }
      out.taxonomy = raw
      continue
    }
    if (key === 'reminderFrom') {
      if (!REMINDER_FROM.includes(raw as ReminderFrom)) {
        throw new BillingSettingsError(['reminderFrom'], {
          it: 'deve essere "due" (dalla scadenza) o "loaded" (dal caricamento della posizione su pagoPA)',
          en: 'must be "due" (from the due date) or "loaded" (from the day the position was loaded on pagoPA)',
        })
      }
      out.reminderFrom = raw as ReminderFrom
      continue
    }
    if (key === 'letterPeriod') {
      if (raw !== null && !(typeof raw === 'string' && Object.hasOwn(LETTER_PERIODS, raw))) {
        throw new BillingSettingsError(['letterPeriod'], {
          it: 'deve essere "monthly", "quarterly", "four_monthly", "six_monthly" oppure null (ogni giorno)',
          en: 'must be "monthly", "quarterly", "four_monthly", "six_monthly" or null (every day)',
        })
      }
      out.letterPeriod = raw as LetterPeriod | null
      continue
    }
    if (key === 'debtBlocksEnrolment') {
      if (typeof raw !== 'boolean') {
        throw new BillingSettingsError(['debtBlocksEnrolment'], {
          it: 'deve essere true o false',
          en: 'must be true or false',
        })
      }
      out.debtBlocksEnrolment = raw
      continue
    }
    const bounds = BOUNDS[key as keyof typeof BOUNDS]
    if (!bounds) {
      throw new BillingSettingsError([key], {
        it: `campo sconosciuto: sono ammessi ${[...Object.keys(BOUNDS), ...OTHER_FIELDS].join(', ')}`,
        en: `unknown field: allowed are ${[...Object.keys(BOUNDS), ...OTHER_FIELDS].join(', ')}`,
      })
    }
    if (!Number.isInteger(raw) || (raw as number) < bounds[0] || (raw as number) > bounds[1]) {
      throw new BillingSettingsError([key], {
        it: `deve essere un numero intero tra ${bounds[0]} e ${bounds[1]}`,
        en: `must be a whole number from ${bounds[0]} to ${bounds[1]}`,
      })
    }
    out[key as keyof typeof BOUNDS] = raw as number
  }
  if (out.topUpMinCents > out.topUpMaxCents) {
    throw new BillingSettingsError(['topUpMinCents'], {
      it: 'non può superare topUpMaxCents',
      en: 'must not exceed topUpMaxCents',
    })
  }
  const both = out.prepaid.find((service) => out.services.includes(service))
  if (both) {
    throw new BillingSettingsError(['prepaid'], {
      it: `il servizio ${both} non può essere insieme prepagato e fatturato dal ciclo mensile (services)`,
      en: `the service ${both} cannot be both pre-paid and billed by the monthly run (services)`,
    })
  }
  return out
}

/** Whether a service of the tenant runs pre-paid (its own account, topped up) or post-paid (monthly run). */
export function billingModeOf(settings: BillingSettings, service: string): 'prepaid' | 'postpaid' {
  return settings.prepaid.includes(service) ? 'prepaid' : 'postpaid'
}
