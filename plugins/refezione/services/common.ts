import { DateTime, PluginHttpError } from '@sportello/platform/sdk'
import type { Lang, PluginContext } from '@sportello/platform/sdk'

/** The canteen's times are Italian times: the cut-off is 9:30 in Rome, whatever the server's zone. */
export const ZONE = 'Europe/Rome'

/**
 * The time the plugin believes it is. Tests move it; nothing else does.
 */
export const clock = {
  now: (): DateTime => DateTime.now().setZone(ZONE),
}

export interface RefezioneSettings {
  /** "HH:MM", Europe/Rome: after it, today's meals can no longer be cancelled and the orders freeze. */
  cutoff_time: string
  /** How many days ahead a family may cancel or ask for a plain meal. */
  booking_horizon_days: number
  /** ISO weekdays the canteen runs where the calendar says nothing more specific. */
  service_weekdays: number[]
  /** Minutes after the cut-off after which an unconfirmed kitchen order raises an alert. */
  kitchen_confirm_minutes: number
}

export const SETTINGS_SCHEMA = {
  type: 'object',
  properties: {
    cutoff_time: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
    booking_horizon_days: { type: 'integer', minimum: 0, maximum: 366 },
    service_weekdays: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 7 },
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
    },
    kitchen_confirm_minutes: { type: 'integer', minimum: 1, maximum: 1440 },
  },
  additionalProperties: false,
}

export const SETTINGS_DEFAULTS: RefezioneSettings = {
  cutoff_time: '09:30',
  booking_horizon_days: 30,
  service_weekdays: [1, 2, 3, 4, 5],
  kitchen_confirm_minutes: 60,
}

export const settingsOf = (ctx: PluginContext) => ctx.settings<RefezioneSettings & Record<string, unknown>>()

/** The moment a day's bookings close: the cut-off time of that day, in Rome. */
export function cutoffOf(day: string, settings: RefezioneSettings): DateTime {
  const [hour, minute] = settings.cutoff_time.split(':').map(Number)
  return DateTime.fromISO(day, { zone: ZONE }).set({ hour, minute, second: 0, millisecond: 0 })
}

export const today = () => clock.now().toISODate()!

/** A text in the reader's language. */
export const say = (lang: Lang, it: string, en: string) => (lang === 'en' ? en : it)

/** A real calendar day as YYYY-MM-DD (the validators check the shape, this the date). */
export function checkDay(lang: Lang, day: string, path: string) {
  const parsed = DateTime.fromISO(day, { zone: ZONE })
  if (!parsed.isValid || parsed.toISODate() !== day) {
    throw new PluginHttpError(422, [
      {
        path,
        rule: 'date',
        message: say(lang, `${day} non è una data valida (AAAA-MM-GG)`, `${day} is not a valid date (YYYY-MM-DD)`),
      },
    ])
  }
  return day
}

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/

/** A class as the tables key it: "" stands for no year (infanzia sections) or for "all". */
export const classKey = (school: string, classYear: string | null | undefined, section: string | null | undefined) =>
  `${school}|${classYear ?? ''}|${section ?? ''}`

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days)
}
