import { PluginHttpError, replyFile, vine } from '@sportello/platform/sdk'
import type { PluginContext, PluginRequest, PluginRouter } from '@sportello/platform/sdk'
import Assignment from '../models/assignment.js'
import Alert from '../models/alert.js'
import Kitchen from '../models/kitchen.js'
import KitchenSchool from '../models/kitchen_school.js'
import Order from '../models/order.js'
import OrderChange from '../models/order_change.js'
import { isBackOffice, schoolsOfUser } from '../services/attendance_service.js'
import { DAY_PATTERN, checkDay, clock, cutoffOf, say, settingsOf } from '../services/common.js'
import { confirmOrder, freezeDay, noOrder, reviseOrder, totalsOf } from '../services/order_service.js'
import { orderCsv, orderPdf } from '../services/order_documents.js'
import { classLabel } from '../messages.js'

/** An alert in the reader's language, from what it is about; the stored text (Italian) for a kind it does not know. */
function alertText(ctx: PluginContext, a: Alert, minutes: number): string {
  if (a.kind === 'class_not_closed') {
    return ctx.t('alert.class_not_closed', {
      label: classLabel(a.classYear, a.section),
      school: a.schoolCode,
      day: a.day,
    })
  }
  if (a.kind === 'order_unconfirmed')
    return ctx.t('alert.order_unconfirmed', { kitchen: a.kitchenCode, day: a.day, minutes })
  return a.message
}

type User = PluginRequest<unknown, unknown>['user']
const BACK_OFFICE = ['operator', 'tenant_admin'] as const
const KITCHEN_READERS = ['kitchen', 'operator', 'tenant_admin'] as const

const code = () => vine.string().trim().minLength(1).maxLength(64)
const kitchenBody = vine.compile(
  vine.object({
    code: code(),
    name: vine.string().trim().minLength(1).maxLength(200),
    schools: vine.array(code()).maxLength(500).distinct(),
  })
)
const reviseBody = vine.compile(vine.object({ reason: vine.string().trim().minLength(5).maxLength(500) }))
const dayQuery = vine.compile(vine.object({ day: vine.string().regex(DAY_PATTERN) }))

/** The kitchens a user reads the orders of, or null for all (back office). */
async function kitchensOfUser(user: User): Promise<Set<string> | null> {
  if (isBackOffice(user)) return null
  const rows = await Assignment.query().where('user_id', user.id).where('scope', 'kitchen').limit(500)
  return new Set(rows.map((r) => r.code))
}

/** The order, for the kitchen that cooks it and the back office only (it names children's diets). */
async function readableOrder(ctx: PluginContext, user: User, day: string, kitchen: string) {
  checkDay(ctx.lang, day, '/day')
  const allowed = await kitchensOfUser(user)
  if (allowed && !allowed.has(kitchen)) {
    throw new PluginHttpError(403, [
      {
        path: '/kitchen',
        rule: 'assignment',
        message: say(
          ctx.lang,
          `Non sei assegnato al centro cottura ${kitchen}`,
          `You are not assigned to kitchen ${kitchen}`
        ),
      },
    ])
  }
  const order = await Order.query().where('day', day).where('kitchen_code', kitchen).first()
  if (!order)
    throw new PluginHttpError(404, [{ path: '/day', rule: 'exists', message: noOrder(ctx.lang, day, kitchen) }])
  return order
}

const summary = (o: Order) => ({
  day: o.day,
  kitchen_code: o.kitchenCode,
  status: o.status,
  meals: o.meals,
  estimated: o.estimated,
  revision: o.revision,
  frozen_at: o.frozenAt,
  confirmed_at: o.confirmedAt,
})

/** The kitchen's side and the back office's: kitchens, orders, their documents, alerts. */
export function orderRoutes(router: PluginRouter) {
  router.get('/kitchens', {
    roles: KITCHEN_READERS,
    handle: async () => {
      const kitchens = await Kitchen.query().orderBy('code').limit(1000)
      const links = await KitchenSchool.query().orderBy('school_code').limit(20_000)
      return {
        kitchens: kitchens.map((k) => ({
          code: k.code,
          name: k.name,
          demo: k.demo,
          schools: links.filter((l) => l.kitchenCode === k.code).map((l) => l.schoolCode),
        })),
      }
    },
  })

  router.put('/kitchens', {
    roles: BACK_OFFICE,
    body: kitchenBody,
    handle: async ({ body }, ctx) => {
      const known = new Set((await ctx.catalog.schools({ service: 'refezione' })).map((s) => s.code))
      const unknown = body.schools.findIndex((s) => !known.has(s))
      if (unknown >= 0) {
        throw new PluginHttpError(422, [
          {
            path: `/schools/${unknown}`,
            rule: 'exists',
            message: say(
              ctx.lang,
              `La scuola ${body.schools[unknown]} non è tra le scuole con mensa`,
              `School ${body.schools[unknown]} is not among the schools with a canteen`
            ),
          },
        ])
      }
      await ctx.transaction(async (tctx) => {
        const client = tctx.trx!
        const kitchen = await Kitchen.query({ client }).where('code', body.code).first()
        if (kitchen) {
          kitchen.useTransaction(client).merge({ name: body.name })
          await kitchen.save()
        } else {
          await Kitchen.create({ code: body.code, name: body.name, demo: false }, { client })
        }
        // A school is cooked for by one kitchen: moving it here takes it from the other.
        const links = await KitchenSchool.query({ client }).where((q) =>
          q.where('kitchen_code', body.code).orWhereIn('school_code', body.schools.length ? body.schools : [''])
        )
        for (const link of links) {
          if (link.kitchenCode !== body.code || !body.schools.includes(link.schoolCode)) {
            await link.useTransaction(client).delete()
          }
        }
        const kept = new Set(links.filter((l) => l.kitchenCode === body.code).map((l) => l.schoolCode))
        for (const school of body.schools) {
          if (!kept.has(school)) await KitchenSchool.create({ kitchenCode: body.code, schoolCode: school }, { client })
        }
      })
      return { kitchen: { code: body.code, name: body.name, schools: body.schools } }
    },
  })

  router.get('/orders', {
    roles: KITCHEN_READERS,
    query: dayQuery,
    handle: async ({ query, user }, ctx) => {
      checkDay(ctx.lang, query.day, '/day')
      const allowed = await kitchensOfUser(user)
      const orders = await Order.query().where('day', query.day).orderBy('kitchen_code').limit(1000)
      return { orders: orders.filter((o) => !allowed || allowed.has(o.kitchenCode)).map(summary) }
    },
  })

  router.post('/orders/:day/freeze', {
    roles: BACK_OFFICE,
    handle: async ({ params }, ctx) => {
      const day = checkDay(ctx.lang, params.day, '/day')
      const settings = await settingsOf(ctx)
      if (clock.now() < cutoffOf(day, settings)) {
        throw new PluginHttpError(409, [
          {
            path: '/day',
            rule: 'cutoff',
            message: say(
              ctx.lang,
              `Gli ordini del ${day} si congelano alle ${settings.cutoff_time}: fino ad allora le famiglie possono ancora disdire`,
              `Orders for ${day} freeze at ${settings.cutoff_time}: until then families can still cancel`
            ),
          },
        ])
      }
      const frozen = await freezeDay(ctx, day)
      return { frozen: frozen.map(summary) }
    },
  })

  router.get('/orders/:day/:kitchen', {
    roles: KITCHEN_READERS,
    handle: async ({ params, user }, ctx) => {
      const order = await readableOrder(ctx, user, params.day, params.kitchen)
      const changes = await OrderChange.query().where('order_id', order.id).orderBy('id').limit(200)
      return {
        order: {
          ...summary(order),
          totals: totalsOf(order.lines),
          classes: order.lines.classes,
          adults: order.lines.adults,
          special_diets: order.specialDiets ?? [],
          changes: changes.map((c) => ({
            revision: c.revision,
            reason: c.reason,
            changed_by: c.changedBy,
            meals_before: c.mealsBefore,
            meals_after: c.mealsAfter,
            at: c.createdAt.toISO(),
          })),
        },
      }
    },
  })

  router.post('/orders/:day/:kitchen/confirm', {
    roles: KITCHEN_READERS,
    handle: async ({ params, user }, ctx) => {
      const order = await readableOrder(ctx, user, params.day, params.kitchen)
      return { order: summary(await confirmOrder(order, user.id)) }
    },
  })

  router.post('/orders/:day/:kitchen/revise', {
    roles: BACK_OFFICE,
    body: reviseBody,
    handle: async ({ params, user, body }, ctx) => {
      const order = await readableOrder(ctx, user, params.day, params.kitchen)
      return { order: summary(await reviseOrder(ctx, order, user.id, body.reason)) }
    },
  })

  router.get('/orders/:day/:kitchen/pdf', {
    roles: KITCHEN_READERS,
    handle: async ({ params, user }, ctx) => {
      const order = await readableOrder(ctx, user, params.day, params.kitchen)
      const kitchen = await Kitchen.query().where('code', order.kitchenCode).first()
      const pdf = await orderPdf(ctx, order, kitchen?.name ?? order.kitchenCode)
      return replyFile(pdf, `ordine-${order.kitchenCode}-${order.day}.pdf`, 'application/pdf')
    },
  })

  router.get('/orders/:day/:kitchen/csv', {
    roles: KITCHEN_READERS,
    handle: async ({ params, user }, ctx) => {
      const order = await readableOrder(ctx, user, params.day, params.kitchen)
      return replyFile(
        orderCsv(order, ctx.lang),
        `ordine-${order.kitchenCode}-${order.day}.csv`,
        'text/csv; charset=utf-8'
      )
    },
  })

  router.get('/alerts', {
    roles: ['school_staff', 'kitchen', 'operator', 'tenant_admin'],
    query: dayQuery,
    handle: async ({ query, user }, ctx) => {
      checkDay(ctx.lang, query.day, '/day')
      const rows = await Alert.query().where('day', query.day).orderBy('id').limit(5000)
      const minutes = (await settingsOf(ctx)).kitchen_confirm_minutes
      const schools = await schoolsOfUser(user)
      const kitchens = await kitchensOfUser(user)
      const visible = rows.filter(
        (a) =>
          !schools ||
          (a.schoolCode && schools.has(a.schoolCode)) ||
          (kitchens && a.kitchenCode && kitchens.has(a.kitchenCode))
      )
      return {
        alerts: visible.map((a) => ({
          kind: a.kind,
          day: a.day,
          school_code: a.schoolCode || null,
          kitchen_code: a.kitchenCode || null,
          class_year: a.classYear || null,
          section: a.section || null,
          message: alertText(ctx, a, minutes),
        })),
      }
    },
  })
}
