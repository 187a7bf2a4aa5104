import { DateTime } from 'luxon'
import type { PluginContext } from '@sportello/platform/sdk'
import SchoolYear from '../models/school_year.js'
import ServiceDays from '../models/service_days.js'
import Closure from '../models/closure.js'
import { ZONE, classKey, settingsOf } from './common.js'

export type NoServiceReason = 'no_school_year' | 'weekday' | 'holiday' | 'closure' | 'strike' | 'trip'

export interface ServedAnswer {
  served: boolean
  /** Why there is no canteen, when there is none. */
  reason: NoServiceReason | null
  /** The closure's own words, when a closure is the reason. */
  note: string | null
}

export const parseWeekdays = (text: string) =>
  text
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 1 && n <= 7)

/**
 * One day of the calendar, read in three bounded queries (the school year, its service-day rows, the
 * closures covering the day) and answered from memory for every class: a day's work over 1,600
 * classes stays linear.
 */
export class DayCalendar {
  readonly weekday: number
  readonly #serviceDays = new Map<string, number[]>()
  readonly #closures = new Map<string, Closure>()

  constructor(
    readonly day: string,
    readonly schoolYear: SchoolYear | null,
    serviceDays: ServiceDays[],
    closures: Closure[],
    readonly defaultWeekdays: number[]
  ) {
    this.weekday = DateTime.fromISO(day, { zone: ZONE }).weekday
    for (const row of serviceDays)
      this.#serviceDays.set(classKey(row.schoolCode, row.classYear, row.section), parseWeekdays(row.weekdays))
    for (const row of closures) {
      const key = classKey(row.schoolCode, row.classYear, row.section)
      if (!this.#closures.has(key)) this.#closures.set(key, row)
    }
  }

  weekdaysOf(school: string, classYear: string | null, section: string | null): number[] {
    return (
      this.#serviceDays.get(classKey(school, classYear, section)) ??
      this.#serviceDays.get(classKey(school, '', '')) ??
      this.defaultWeekdays
    )
  }

  served(school: string, classYear: string | null, section: string | null): ServedAnswer {
    if (!this.schoolYear) return { served: false, reason: 'no_school_year', note: null }
    const closure =
      this.#closures.get(classKey('', '', '')) ??
      this.#closures.get(classKey(school, '', '')) ??
      this.#closures.get(classKey(school, classYear, section))
    if (closure) return { served: false, reason: closure.kind, note: closure.reason }
    if (!this.weekdaysOf(school, classYear, section).includes(this.weekday)) {
      return { served: false, reason: 'weekday', note: null }
    }
    return { served: true, reason: null, note: null }
  }
}

export async function schoolYearOn(day: string, ctx: PluginContext) {
  return SchoolYear.query({ client: ctx.trx ?? undefined })
    .where('starts_on', '<=', day)
    .where('ends_on', '>=', day)
    .orderBy('starts_on', 'desc')
    .first()
}

export async function calendarOn(day: string, ctx: PluginContext): Promise<DayCalendar> {
  const client = ctx.trx ?? undefined
  const settings = await settingsOf(ctx)
  const year = await schoolYearOn(day, ctx)
  if (!year) return new DayCalendar(day, null, [], [], settings.service_weekdays)
  const [serviceDays, closures] = await Promise.all([
    ServiceDays.query({ client }).where('school_year', year.code),
    Closure.query({ client })
      .where('school_year', year.code)
      .where('starts_on', '<=', day)
      .where('ends_on', '>=', day)
      .orderBy('id'),
  ])
  return new DayCalendar(day, year, serviceDays, closures, settings.service_weekdays)
}

/**
 * The calendar of every day from `from` to `to` (at most a few months): three queries for the whole
 * range, then each day answered from memory.
 */
export async function calendarsBetween(
  from: string,
  to: string,
  ctx: PluginContext
): Promise<Map<string, DayCalendar>> {
  const client = ctx.trx ?? undefined
  const settings = await settingsOf(ctx)
  const years = await SchoolYear.query({ client }).where('starts_on', '<=', to).where('ends_on', '>=', from).limit(10)
  const codes = years.map((y) => y.code)
  const [serviceDays, closures] = codes.length
    ? await Promise.all([
        ServiceDays.query({ client }).whereIn('school_year', codes),
        Closure.query({ client })
          .whereIn('school_year', codes)
          .where('starts_on', '<=', to)
          .where('ends_on', '>=', from)
          .orderBy('id'),
      ])
    : [[], []]
  const out = new Map<string, DayCalendar>()
  for (let d = DateTime.fromISO(from, { zone: ZONE }); d.toISODate()! <= to; d = d.plus({ days: 1 })) {
    const day = d.toISODate()!
    const year = years.find((y) => y.startsOn <= day && y.endsOn >= day) ?? null
    out.set(
      day,
      new DayCalendar(
        day,
        year,
        serviceDays.filter((s) => s.schoolYear === year?.code),
        closures.filter((c) => c.schoolYear === year?.code && c.startsOn <= day && c.endsOn >= day),
        settings.service_weekdays
      )
    )
  }
  return out
}
