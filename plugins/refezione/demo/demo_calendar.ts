import { DateTime } from 'luxon'
import type { PluginContext } from '@sportello/platform/sdk'
import SchoolYear from '../models/school_year.js'
import Closure from '../models/closure.js'
import ServiceDays from '../models/service_days.js'
import { ZONE, clock } from '../services/common.js'

/**
 * Demo data: a school year on Emilia-Romagna's regional school calendar (DGR 353/2012, which fixes
 * the calendar for every year after 2012/13): lessons from 15 September (the Monday after when it
 * falls on a weekend), the last day of lessons 6 June for primaria and secondaria and 30 June for
 * the scuola dell'infanzia; Christmas holidays 24 December – 6 January; Easter from the Thursday
 * before to the Tuesday after; the national holidays (1 November, 8 December, 25 April, 1 May,
 * 2 June). Every row is marked `demo`: a comune loads its own through the calendar API.
 */

/** Easter Sunday (Gregorian computus, Meeus/Jones/Butcher). */
export function easterSunday(year: number): DateTime {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return DateTime.fromObject({ year, month, day }, { zone: ZONE })
}

const iso = (d: DateTime) => d.toISODate()!

/** The regional calendar of the school year that starts in `startYear`. */
export function emiliaRomagnaCalendar(startYear: number) {
  const end = startYear + 1
  let first = DateTime.fromObject({ year: startYear, month: 9, day: 15 }, { zone: ZONE })
  if (first.weekday > 5) first = first.plus({ days: 8 - first.weekday })
  const easter = easterSunday(end)
  const holidays: Array<{ from: string; to: string; reason: string }> = [
    { from: `${startYear}-11-01`, to: `${startYear}-11-01`, reason: 'Ognissanti' },
    { from: `${startYear}-12-08`, to: `${startYear}-12-08`, reason: 'Immacolata Concezione' },
    { from: `${startYear}-12-24`, to: `${end}-01-06`, reason: 'Vacanze di Natale' },
    { from: iso(easter.minus({ days: 3 })), to: iso(easter.plus({ days: 2 })), reason: 'Vacanze di Pasqua' },
    { from: `${end}-04-25`, to: `${end}-04-25`, reason: 'Festa della Liberazione' },
    { from: `${end}-05-01`, to: `${end}-05-01`, reason: 'Festa del Lavoro' },
    { from: `${end}-06-02`, to: `${end}-06-02`, reason: 'Festa della Repubblica' },
  ]
  return {
    code: `${startYear}/${end}`,
    startsOn: iso(first),
    /** The scuola dell'infanzia's last day; the other orders end on `lessonsEndOn`. */
    endsOn: `${end}-06-30`,
    lessonsEndOn: `${end}-06-06`,
    holidays,
  }
}

/** The school year under way (or about to start) on `day`: from September on, the one starting this year. */
export function currentStartYear(day = clock.now()) {
  return day.month >= 8 ? day.year : day.year - 1
}

export async function seedDemoCalendar(ctx: PluginContext) {
  const cal = emiliaRomagnaCalendar(currentStartYear())
  if (await SchoolYear.query().where('code', cal.code).first()) return
  await ctx.transaction(async (tctx) => {
    const client = tctx.trx!
    await SchoolYear.create({ code: cal.code, startsOn: cal.startsOn, endsOn: cal.endsOn, demo: true }, { client })
    for (const h of cal.holidays) {
      await Closure.create(
        {
          schoolYear: cal.code,
          kind: 'holiday',
          startsOn: h.from,
          endsOn: h.to,
          schoolCode: '',
          classYear: '',
          section: '',
          reason: `${h.reason} (calendario regionale Emilia-Romagna, dati dimostrativi)`,
          demo: true,
        },
        { client }
      )
    }
    const schools = await tctx.catalog.schools({ service: 'refezione' })
    const dayAfterLessons = iso(DateTime.fromISO(cal.lessonsEndOn).plus({ days: 1 }))
    for (const school of schools.filter((s) => s.order !== 'infanzia')) {
      await Closure.create(
        {
          schoolYear: cal.code,
          kind: 'holiday',
          startsOn: dayAfterLessons,
          endsOn: cal.endsOn,
          schoolCode: school.code,
          classYear: '',
          section: '',
          reason: 'Fine delle lezioni (dati dimostrativi)',
          demo: true,
        },
        { client }
      )
    }
    // A secondaria with the canteen only on its two long days (tempo prolungato), as many have.
    const secondaria = schools.find((s) => s.order.startsWith('secondaria'))
    if (secondaria) {
      await ServiceDays.create(
        { schoolYear: cal.code, schoolCode: secondaria.code, classYear: '', section: '', weekdays: '1,3', demo: true },
        { client }
      )
    }
  })
}
