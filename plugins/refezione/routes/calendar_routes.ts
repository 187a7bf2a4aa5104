import { DateTime, PluginHttpError, reply, vine } from '@sportello/platform/sdk'
import type { PluginContext, PluginRouter } from '@sportello/platform/sdk'
import SchoolYear from '../models/school_year.js'
import ServiceDays from '../models/service_days.js'
import Closure, { CLOSURE_KINDS } from '../models/closure.js'
import { calendarOn, calendarsBetween } from '../services/calendar_service.js'
import { DAY_PATTERN, ZONE, checkDay, say } from '../services/common.js'

export const STAFF = ['operator', 'tenant_admin'] as const
const READERS = ['operator', 'tenant_admin', 'school_staff', 'kitchen'] as const

const yearCode = () => vine.string().regex(/^\d{4}\/\d{4}$/)
const day = () => vine.string().regex(DAY_PATTERN)
const code = () => vine.string().trim().minLength(1).maxLength(64)
const classPart = () => vine.string().trim().maxLength(20).optional()

const yearBody = vine.compile(vine.object({ code: yearCode(), starts_on: day(), ends_on: day() }))
const yearQuery = vine.compile(vine.object({ school_year: yearCode() }))
const serviceDaysBody = vine.compile(
  vine.object({
    school_year: yearCode(),
    school_code: code(),
    class_year: classPart(),
    section: classPart(),
    weekdays: vine
      .array(vine.number().withoutDecimals().range([1, 7]))
      .minLength(1)
      .maxLength(7)
      .distinct(),
  })
)
const closureBody = vine.compile(
  vine.object({
    school_year: yearCode(),
    kind: vine.enum(CLOSURE_KINDS),
    starts_on: day(),
    ends_on: day(),
    school_code: code().optional(),
    class_year: classPart(),
    section: classPart(),
    reason: vine.string().trim().minLength(1).maxLength(200),
  })
)
const dayQuery = vine.compile(vine.object({ date: day(), school_code: code() }))
const monthQuery = vine.compile(
  vine.object({ month: vine.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/), school_code: code() })
)

function refuse(status: number, path: string, rule: string, message: string): never {
  throw new PluginHttpError(status, [{ path, rule, message }])
}

async function yearOrRefuse(ctx: PluginContext, codeValue: string) {
  const year = await SchoolYear.query().where('code', codeValue).first()
  if (!year) {
    refuse(
      422,
      '/school_year',
      'exists',
      say(
        ctx.lang,
        `L'anno scolastico ${codeValue} non è nel calendario: crealo prima`,
        `School year ${codeValue} is not in the calendar: create it first`
      )
    )
  }
  return year
}

async function schoolOrRefuse(ctx: PluginContext, schoolCode: string, classYear?: string, section?: string) {
  const schools = await ctx.catalog.schools({ service: 'refezione' })
  if (!schools.some((s) => s.code === schoolCode)) {
    refuse(
      422,
      '/school_code',
      'exists',
      say(
        ctx.lang,
        `La scuola ${schoolCode} non è nell'elenco delle scuole con mensa`,
        `School ${schoolCode} is not among the schools with a canteen`
      )
    )
  }
  if (section) {
    const classes = await ctx.catalog.classes(schoolCode)
    if (!classes.some((c) => (c.year ?? '') === (classYear ?? '') && c.section === section)) {
      refuse(
        422,
        '/section',
        'exists',
        say(
          ctx.lang,
          `La classe ${classYear ?? ''} ${section} non esiste nella scuola ${schoolCode}`,
          `Class ${classYear ?? ''} ${section} does not exist in school ${schoolCode}`
        )
      )
    }
  } else if (classYear) {
    refuse(422, '/section', 'required', say(ctx.lang, 'Indica la sezione della classe', "Give the class's section"))
  }
}

function checkRange(ctx: PluginContext, from: string, to: string, within?: SchoolYear) {
  checkDay(ctx.lang, from, '/starts_on')
  checkDay(ctx.lang, to, '/ends_on')
  if (to < from) {
    refuse(
      422,
      '/ends_on',
      'after',
      say(ctx.lang, "L'ultimo giorno viene prima del primo", 'The last day comes before the first')
    )
  }
  if (within && (from < within.startsOn || to > within.endsOn)) {
    refuse(
      422,
      '/starts_on',
      'within',
      say(
        ctx.lang,
        `Le date devono stare nell'anno scolastico ${within.code} (${within.startsOn} – ${within.endsOn})`,
        `The dates must fall within school year ${within.code} (${within.startsOn} – ${within.endsOn})`
      )
    )
  }
}

/**
 * A school year runs for more than one day and for less than a year: its last day comes after its
 * first and before the same day of the following year (a typo in a year, such as 2207 for 2027,
 * would otherwise give the canteen centuries of service days).
 */
function checkYearLength(ctx: PluginContext, from: string, to: string) {
  if (to === from) {
    refuse(
      422,
      '/ends_on',
      'after',
      say(
        ctx.lang,
        "L'ultimo giorno dell'anno scolastico deve venire dopo il primo",
        'The last day of the school year must come after the first'
      )
    )
  }
  const limit = DateTime.fromISO(from, { zone: ZONE }).plus({ years: 1 }).toISODate()!
  if (to >= limit) {
    refuse(
      422,
      '/ends_on',
      'within',
      say(
        ctx.lang,
        `Un anno scolastico dura meno di un anno: l'ultimo giorno deve venire prima del ${limit}`,
        `A school year lasts less than a year: the last day must come before ${limit}`
      )
    )
  }
}

const yearView = (y: SchoolYear) => ({ code: y.code, starts_on: y.startsOn, ends_on: y.endsOn, demo: y.demo })
const serviceDaysView = (r: ServiceDays) => ({
  id: r.id,
  school_year: r.schoolYear,
  school_code: r.schoolCode,
  class_year: r.classYear || null,
  section: r.section || null,
  weekdays: r.weekdays.split(',').map(Number),
  demo: r.demo,
})
const closureView = (c: Closure) => ({
  id: c.id,
  school_year: c.schoolYear,
  kind: c.kind,
  starts_on: c.startsOn,
  ends_on: c.endsOn,
  school_code: c.schoolCode || null,
  class_year: c.classYear || null,
  section: c.section || null,
  reason: c.reason,
  demo: c.demo,
})

/** The calendar: staff edit it, everyone who works the canteen day reads it. */
export function calendarRoutes(router: PluginRouter) {
  router.get('/calendar/years', {
    roles: READERS,
    handle: async () => ({ years: (await SchoolYear.query().orderBy('starts_on').limit(50)).map(yearView) }),
  })

  router.put('/calendar/years', {
    roles: STAFF,
    body: yearBody,
    handle: async ({ body }, ctx) => {
      checkRange(ctx, body.starts_on, body.ends_on)
      const [a, b] = body.code.split('/').map(Number)
      if (b !== a + 1 || a < 2000 || a > 2099 || !body.starts_on.startsWith(`${a}-`)) {
        refuse(
          422,
          '/code',
          'school_year',
          say(
            ctx.lang,
            `L'anno scolastico ${body.code} deve essere "AAAA/AAAA+1" e iniziare nel ${a}`,
            `School year ${body.code} must be "YYYY/YYYY+1" and start in ${a}`
          )
        )
      }
      checkYearLength(ctx, body.starts_on, body.ends_on)
      const overlapping = await SchoolYear.query()
        .whereNot('code', body.code)
        .where('starts_on', '<=', body.ends_on)
        .where('ends_on', '>=', body.starts_on)
        .first()
      if (overlapping) {
        refuse(
          409,
          '/starts_on',
          'overlap',
          say(
            ctx.lang,
            `Le date si sovrappongono all'anno scolastico ${overlapping.code}`,
            `The dates overlap school year ${overlapping.code}`
          )
        )
      }
      const year = await SchoolYear.updateOrCreate(
        { code: body.code },
        { startsOn: body.starts_on, endsOn: body.ends_on, demo: false }
      )
      return { year: yearView(year) }
    },
  })

  router.get('/calendar/service-days', {
    roles: READERS,
    query: yearQuery,
    handle: async ({ query }) => ({
      service_days: (
        await ServiceDays.query()
          .where('school_year', query.school_year)
          .orderBy('school_code')
          .orderBy('class_year')
          .orderBy('section')
          .limit(10_000)
      ).map(serviceDaysView),
    }),
  })

  router.put('/calendar/service-days', {
    roles: STAFF,
    body: serviceDaysBody,
    handle: async ({ body }, ctx) => {
      await yearOrRefuse(ctx, body.school_year)
      await schoolOrRefuse(ctx, body.school_code, body.class_year, body.section)
      const row = await ServiceDays.updateOrCreate(
        {
          schoolYear: body.school_year,
          schoolCode: body.school_code,
          classYear: body.class_year ?? '',
          section: body.section ?? '',
        },
        { weekdays: [...body.weekdays].sort().join(','), demo: false }
      )
      return { service_days: serviceDaysView(row) }
    },
  })

  router.delete('/calendar/service-days/:id', {
    roles: STAFF,
    handle: async ({ params }, ctx) => {
      const row = await ServiceDays.query()
        .where('id', Number(params.id) || 0)
        .first()
      if (!row) refuse(404, '/id', 'exists', say(ctx.lang, 'Riga inesistente', 'No such row'))
      await row.delete()
      return reply(204, null)
    },
  })

  router.get('/calendar/closures', {
    roles: READERS,
    query: yearQuery,
    handle: async ({ query }) => ({
      closures: (
        await Closure.query().where('school_year', query.school_year).orderBy('starts_on').orderBy('id').limit(5_000)
      ).map(closureView),
    }),
  })

  router.post('/calendar/closures', {
    roles: STAFF,
    body: closureBody,
    handle: async ({ body }, ctx) => {
      const year = await yearOrRefuse(ctx, body.school_year)
      checkRange(ctx, body.starts_on, body.ends_on, year)
      if (body.school_code) await schoolOrRefuse(ctx, body.school_code, body.class_year, body.section)
      else if (body.section || body.class_year) {
        refuse(
          422,
          '/school_code',
          'required',
          say(ctx.lang, 'Indica la scuola della classe', "Give the class's school")
        )
      }
      const closure = await Closure.create({
        schoolYear: body.school_year,
        kind: body.kind,
        startsOn: body.starts_on,
        endsOn: body.ends_on,
        schoolCode: body.school_code ?? '',
        classYear: body.section ? (body.class_year ?? '') : '',
        section: body.section ?? '',
        reason: body.reason,
        demo: false,
      })
      return reply(201, { closure: closureView(closure) })
    },
  })

  router.delete('/calendar/closures/:id', {
    roles: STAFF,
    handle: async ({ params }, ctx) => {
      const row = await Closure.query()
        .where('id', Number(params.id) || 0)
        .first()
      if (!row) refuse(404, '/id', 'exists', say(ctx.lang, 'Chiusura inesistente', 'No such closure'))
      await row.delete()
      return reply(204, null)
    },
  })

  router.get('/calendar/day', {
    roles: READERS,
    query: dayQuery,
    handle: async ({ query }, ctx) => {
      checkDay(ctx.lang, query.date, '/date')
      const calendar = await calendarOn(query.date, ctx)
      const classes = await ctx.catalog.classes(query.school_code)
      return {
        date: query.date,
        school_year: calendar.schoolYear?.code ?? null,
        school: { code: query.school_code, ...calendar.served(query.school_code, '', '') },
        classes: classes.map((c) => ({
          class_year: c.year,
          section: c.section,
          ...calendar.served(query.school_code, c.year, c.section),
        })),
      }
    },
  })

  /**
   * A school's month: every day with whether the school has canteen and, class by class, the
   * classes that differ from it (a class out on a trip, a class with its own weekdays). The calendar
   * of the whole month is read in three queries (calendarsBetween); the answer is at most 31 days
   * times the school's classes.
   */
  router.get('/calendar/month', {
    roles: READERS,
    query: monthQuery,
    handle: async ({ query }, ctx) => {
      const first = DateTime.fromISO(`${query.month}-01`, { zone: ZONE })
      const from = first.toISODate()!
      const to = first.endOf('month').toISODate()!
      const [calendars, classes] = await Promise.all([
        calendarsBetween(from, to, ctx),
        ctx.catalog.classes(query.school_code),
      ])
      const firstDay = calendars.get(from)!
      return {
        month: query.month,
        school_code: query.school_code,
        // The weekdays with canteen as they stand (the school's row, else the tenant's setting).
        weekdays: firstDay.weekdaysOf(query.school_code, '', ''),
        days: [...calendars.values()].map((calendar) => {
          const school = calendar.served(query.school_code, '', '')
          return {
            day: calendar.day,
            weekday: calendar.weekday,
            school_year: calendar.schoolYear?.code ?? null,
            ...school,
            classes: classes
              .map((c) => ({
                class_year: c.year,
                section: c.section,
                ...calendar.served(query.school_code, c.year, c.section),
              }))
              .filter((c) => c.served !== school.served || c.reason !== school.reason),
          }
        }),
      }
    },
  })
}
