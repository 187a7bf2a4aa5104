import { PluginHttpError, reply, vine } from '@sportello/platform/sdk'
import type { PluginContext, PluginRouter } from '@sportello/platform/sdk'
import Assignment from '../models/assignment.js'
import { ADULT_KINDS } from '../models/adult_meal.js'
import {
  checkSchoolAccess,
  closeClass,
  isBackOffice,
  recordAdults,
  recordMarks,
} from '../services/attendance_service.js'
import { DAY_PATTERN, checkDay, say, settingsOf, today } from '../services/common.js'
import { schoolsDay, type ChildDay, type ClassSummary } from '../services/day_state.js'
import { withNames } from '../services/pupils.js'

const MARKERS = ['school_staff', 'operator', 'tenant_admin'] as const
const BACK_OFFICE = ['operator', 'tenant_admin'] as const

const deviceId = () =>
  vine
    .string()
    .minLength(8)
    .maxLength(64)
    .regex(/^[\w:.-]+$/)
const day = () => vine.string().regex(DAY_PATTERN)
const code = () => vine.string().trim().minLength(1).maxLength(64)
const source = () => vine.enum(['tablet', 'paper'] as const).optional()

const marksBody = vine.compile(
  vine.object({
    source: source(),
    marks: vine
      .array(
        vine.object({
          id: deviceId(),
          day: day(),
          school_code: code(),
          class_year: vine.string().maxLength(20).nullable().optional(),
          section: vine.string().minLength(1).maxLength(20),
          enrolment_id: vine.number().withoutDecimals().positive(),
          status: vine.enum(['present', 'absent'] as const).optional(),
          plain: vine.boolean().optional(),
          late_entry: vine.boolean().optional(),
          early_exit: vine.boolean().optional(),
          marked_at: vine.string().maxLength(40),
        })
      )
      .minLength(1)
      .maxLength(500),
  })
)
const adultsBody = vine.compile(
  vine.object({
    source: source(),
    entries: vine
      .array(
        vine.object({
          id: deviceId(),
          day: day(),
          school_code: code(),
          slot: vine.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
          kind: vine.enum(ADULT_KINDS),
          count: vine.number().withoutDecimals().range([0, 500]),
          marked_at: vine.string().maxLength(40),
        })
      )
      .minLength(1)
      .maxLength(100),
  })
)
const closeBody = vine.compile(
  vine.object({
    source: source(),
    day: day(),
    school_code: code(),
    class_year: vine.string().maxLength(20).nullable().optional(),
    section: vine.string().minLength(1).maxLength(20),
    marked_at: vine.string().maxLength(40).optional(),
  })
)
const schoolQuery = vine.compile(vine.object({ school_code: code() }))
const classQuery = vine.compile(
  vine.object({
    school_code: code(),
    class_year: vine.string().maxLength(20).optional(),
    section: vine.string().minLength(1).maxLength(20),
  })
)
const assignmentBody = vine.compile(
  vine.object({
    user_id: vine.number().withoutDecimals().positive(),
    scope: vine.enum(['school', 'kitchen'] as const),
    code: code(),
  })
)

/** Paper mode is the back office's: a school's tablet always records as a tablet. */
function sourceFor(ctx: PluginContext, user: { roles: readonly string[]; isPlatformAdmin: boolean }, wanted?: string) {
  if (wanted !== 'paper') return 'tablet' as const
  if (!isBackOffice(user as never)) {
    throw new PluginHttpError(403, [
      {
        path: '/source',
        rule: 'role',
        message: say(
          ctx.lang,
          "Solo l'ufficio inserisce le presenze da carta",
          'Only the back office enters attendance from paper'
        ),
      },
    ])
  }
  return 'paper' as const
}

async function schoolOf(ctx: PluginContext, schoolCode: string) {
  const school = (await ctx.catalog.schools({ service: 'refezione' })).find((s) => s.code === schoolCode)
  if (!school) {
    throw new PluginHttpError(404, [
      {
        path: '/school_code',
        rule: 'exists',
        message: say(
          ctx.lang,
          `Nessuna scuola con mensa ha codice ${schoolCode}`,
          `No school with a canteen has code ${schoolCode}`
        ),
      },
    ])
  }
  return { code: school.code, order: school.order, classes: await ctx.catalog.classes(school.code) }
}

const count = (children: ChildDay[]) => ({
  enrolled: children.length,
  meals: children.filter((c) => c.eats).length,
  plain: children.filter((c) => c.eats && c.plain).length,
  absent: children.filter((c) => c.served && !c.eats).length,
})

const classView = (c: ClassSummary) => ({
  class_year: c.classYear || null,
  section: c.section,
  served: c.served,
  closed: c.closed !== null,
  closed_after_cutoff: c.closed?.afterCutoff ?? false,
  ...count(c.children),
})

/** The school's side: the day's classes, a class's children, marks, adults, closing (API of the tablet pages). */
export function attendanceRoutes(router: PluginRouter) {
  router.get('/my/places', {
    roles: ['school_staff', 'kitchen', 'operator', 'tenant_admin'],
    handle: async ({ user }, ctx) => {
      const rows = await Assignment.query().where('user_id', user.id).orderBy('scope').orderBy('code').limit(500)
      const settings = await settingsOf(ctx)
      return {
        // The server's day and cut-off, in Rome: a tablet whose own clock is wrong still marks the right day.
        today: today(),
        cutoff_time: settings.cutoff_time,
        all_schools: isBackOffice(user),
        schools: rows.filter((r) => r.scope === 'school').map((r) => r.code),
        kitchens: rows.filter((r) => r.scope === 'kitchen').map((r) => r.code),
      }
    },
  })

  router.get('/assignments', {
    roles: BACK_OFFICE,
    handle: async () => ({
      assignments: (await Assignment.query().orderBy('user_id').orderBy('scope').limit(5000)).map((a) => ({
        id: a.id,
        user_id: a.userId,
        scope: a.scope,
        code: a.code,
      })),
    }),
  })

  router.put('/assignments', {
    roles: BACK_OFFICE,
    body: assignmentBody,
    handle: async ({ body }) => {
      const row = await Assignment.firstOrCreate({ userId: body.user_id, scope: body.scope, code: body.code })
      return { assignment: { id: row.id, user_id: row.userId, scope: row.scope, code: row.code } }
    },
  })

  router.delete('/assignments/:id', {
    roles: BACK_OFFICE,
    handle: async ({ params }) => {
      const row = await Assignment.query()
        .where('id', Number(params.id) || 0)
        .first()
      if (row) await row.delete()
      return reply(204, null)
    },
  })

  router.get('/attendance/:day/classes', {
    roles: MARKERS,
    query: schoolQuery,
    handle: async ({ params, query, user }, ctx) => {
      const date = checkDay(ctx.lang, params.day, '/day')
      await checkSchoolAccess(ctx, user, query.school_code)
      const school = await schoolOf(ctx, query.school_code)
      const state = await schoolsDay(ctx, date, [school])
      return {
        day: date,
        school_code: school.code,
        school_year: state.calendar.schoolYear?.code ?? null,
        classes: state.classes.map(classView),
        open_classes: state.classes.filter((c) => c.served && !c.closed).length,
        adults: state.adults.map((a) => ({ slot: a.slot, kind: a.kind, count: a.count })),
      }
    },
  })

  router.get('/attendance/:day/class', {
    roles: MARKERS,
    query: classQuery,
    handle: async ({ params, query, user }, ctx) => {
      const date = checkDay(ctx.lang, params.day, '/day')
      await checkSchoolAccess(ctx, user, query.school_code)
      const school = await schoolOf(ctx, query.school_code)
      const classYear = query.class_year ?? ''
      const only = school.classes.filter((c) => (c.year ?? '') === classYear && c.section === query.section)
      const state = await schoolsDay(ctx, date, [{ ...school, classes: only }])
      const summary = state.classes.find((c) => c.classYear === classYear && c.section === query.section)
      if (summary)
        await withNames(
          ctx,
          summary.children.map((c) => c.pupil)
        )
      if (!summary) {
        throw new PluginHttpError(404, [
          { path: '/section', rule: 'exists', message: say(ctx.lang, 'Classe inesistente', 'No such class') },
        ])
      }
      return {
        day: date,
        school_code: school.code,
        ...classView(summary),
        rule: say(
          ctx.lang,
          'Presenti per impostazione; la disdetta della famiglia rende assente, la richiesta di pasto in bianco lo rende in bianco; poi valgono le segnature della scuola, in ordine, ciascuna per ciò che dice.',
          "Present by default; a family's cancellation makes the child absent, a plain-meal request makes the meal plain; then the school's marks apply in order, each for what it says."
        ),
        children: summary.children
          .sort((a, b) =>
            (a.pupil.lastName + a.pupil.firstName).localeCompare(b.pupil.lastName + b.pupil.firstName, 'it')
          )
          .map((c) => ({
            enrolment_id: c.pupil.enrolmentId,
            first_name: c.pupil.firstName,
            last_name: c.pupil.lastName,
            diet: c.pupil.diet,
            family_request: c.request,
            eats: c.eats,
            plain: c.plain,
            late_entry: c.lateEntry,
            early_exit: c.earlyExit,
            decided_by: c.decidedBy,
            after_cutoff: c.afterCutoff,
          })),
      }
    },
  })

  router.post('/attendance/marks', {
    roles: MARKERS,
    body: marksBody,
    handle: async ({ body, user }, ctx) => {
      for (const [i, mark] of body.marks.entries()) checkDay(ctx.lang, mark.day, `/marks/${i}/day`)
      return { results: await recordMarks(ctx, user, body.marks, sourceFor(ctx, user, body.source)) }
    },
  })

  router.post('/attendance/adults', {
    roles: MARKERS,
    body: adultsBody,
    handle: async ({ body, user }, ctx) => {
      for (const [i, entry] of body.entries.entries()) checkDay(ctx.lang, entry.day, `/entries/${i}/day`)
      return { results: await recordAdults(ctx, user, body.entries, sourceFor(ctx, user, body.source)) }
    },
  })

  router.post('/attendance/close', {
    roles: MARKERS,
    body: closeBody,
    handle: async ({ body, user }, ctx) => {
      checkDay(ctx.lang, body.day, '/day')
      const closed = await closeClass(ctx, user, body, sourceFor(ctx, user, body.source))
      return {
        closed: {
          day: closed.day,
          school_code: closed.schoolCode,
          class_year: closed.classYear || null,
          section: closed.section,
          after_cutoff: closed.afterCutoff,
          source: closed.source,
        },
      }
    },
  })
}
