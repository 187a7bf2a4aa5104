import { PluginHttpError, reply, vine } from '@sportello/platform/sdk'
import type { PluginRouter } from '@sportello/platform/sdk'
import MealRequest, { REQUEST_KINDS } from '../models/meal_request.js'
import { bookingWindow, clearRequest, ownPupil, requestView, setRequest } from '../services/booking_service.js'
import { DAY_PATTERN, checkDay, say } from '../services/common.js'
import { pupilOf } from '../services/pupils.js'
import { consumedIn } from '../services/consumed_service.js'

const requestBody = vine.compile(vine.object({ kind: vine.enum(REQUEST_KINDS) }))
const monthQuery = vine.compile(vine.object({ month: vine.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) }))
const rangeQuery = vine.compile(
  vine.object({ from: vine.string().regex(DAY_PATTERN), to: vine.string().regex(DAY_PATTERN) })
)

/** The family's side (citizen portal): their own enrolled children only. */
export function familyRoutes(router: PluginRouter) {
  router.get('/my/children', {
    roles: ['citizen'],
    handle: async ({ user }, ctx) => {
      const records = await ctx.enrolments.list({ applicantUserId: user.id, status: 'active', limit: 100 })
      const schools = new Map((await ctx.catalog.schools({ service: 'refezione' })).map((s) => [s.code, s.name]))
      return {
        booking: await bookingWindow(ctx),
        children: records
          .map(pupilOf)
          .filter((p) => p !== null)
          .map((p) => ({
            enrolment_id: p.enrolmentId,
            first_name: p.firstName,
            last_name: p.lastName,
            school_code: p.schoolCode,
            school_name: schools.get(p.schoolCode) ?? null,
            class_year: p.classYear || null,
            section: p.section,
          })),
      }
    },
  })

  router.get('/my/children/:enrolment/requests', {
    roles: ['citizen'],
    query: rangeQuery,
    handle: async ({ user, params, query }, ctx) => {
      const pupil = await ownPupil(ctx, user.id, Number(params.enrolment))
      checkDay(ctx.lang, query.from, '/from')
      checkDay(ctx.lang, query.to, '/to')
      if (query.to < query.from || Date.parse(query.to) - Date.parse(query.from) > 400 * 86_400_000) {
        throw new PluginHttpError(422, [
          {
            path: '/to',
            rule: 'range',
            message: say(
              ctx.lang,
              "Chiedi al più un anno, dal primo all'ultimo giorno",
              'Ask for at most a year, first day to last'
            ),
          },
        ])
      }
      const rows = await MealRequest.query()
        .where('enrolment_id', pupil.enrolmentId)
        .where('day', '>=', query.from)
        .where('day', '<=', query.to)
        .orderBy('day')
      return { requests: rows.map(requestView) }
    },
  })

  router.get('/my/children/:enrolment/meals', {
    roles: ['citizen'],
    query: monthQuery,
    handle: async ({ user, params, query }, ctx) => {
      const pupil = await ownPupil(ctx, user.id, Number(params.enrolment))
      const days = (await consumedIn(ctx, pupil, query.month)).filter((d) => d.served)
      return {
        month: query.month,
        meals: days.filter((d) => d.ate).length,
        days: days.map((d) => ({ day: d.day, ate: d.ate, plain: d.plain, estimated: d.estimated })),
      }
    },
  })

  router.put('/my/children/:enrolment/days/:day', {
    roles: ['citizen'],
    body: requestBody,
    handle: async ({ user, params, body }, ctx) => {
      const request = await setRequest(
        ctx,
        user.id,
        Number(params.enrolment),
        checkDay(ctx.lang, params.day, '/day'),
        body.kind
      )
      return { request: requestView(request) }
    },
  })

  router.delete('/my/children/:enrolment/days/:day', {
    roles: ['citizen'],
    handle: async ({ user, params }, ctx) => {
      await clearRequest(ctx, user.id, Number(params.enrolment), checkDay(ctx.lang, params.day, '/day'))
      return reply(204, null)
    },
  })
}
