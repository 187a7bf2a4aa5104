import { test } from '@japa/runner'
import type { PluginContext } from '@sportello/platform/sdk'
import { kit, canteenTenant, child, resetClock, schoolYear, setClock } from './world.js'
import Kitchen from '../models/kitchen.js'
import KitchenSchool from '../models/kitchen_school.js'
import MealRequest from '../models/meal_request.js'
import Order from '../models/order.js'
import { requestsOn } from '../services/booking_service.js'
import { freezeDay } from '../services/order_service.js'

const DAY = '2026-12-01'

test.group('Refezione: the cut-off reads the day in a few queries and writes it in one transaction', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  test("the families' requests of a day read by id or as the whole day agree, other days and children left out", async ({
    assert,
  }) => {
    const { tenant } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    const [a, b, c, d] = [
      await child(tenant, parent.id),
      await child(tenant, parent.id),
      await child(tenant, parent.id),
      await child(tenant, parent.id),
    ]
    await kit.as(tenant, 'refezione', async (ctx) => {
      await MealRequest.create({ enrolmentId: a.id, day: DAY, kind: 'cancel', requestedBy: parent.id })
      await MealRequest.create({ enrolmentId: b.id, day: DAY, kind: 'plain', requestedBy: parent.id })
      // Another day's request, and a request of a child not asked about.
      await MealRequest.create({ enrolmentId: c.id, day: '2026-12-02', kind: 'cancel', requestedBy: parent.id })
      await MealRequest.create({ enrolmentId: d.id, day: DAY, kind: 'cancel', requestedBy: parent.id })
      const ids = [a.id, b.id, c.id]
      const expected = [
        [a.id, 'cancel'],
        [b.id, 'plain'],
      ]
      const byId = await requestsOn(ctx, DAY, ids)
      // The whole day's requests, one per page: every page boundary crossed.
      const byDay = await requestsOn(ctx, DAY, ids, { byIdUpTo: 0, page: 1 })
      assert.sameDeepMembers([...byId.entries()], expected, 'read by id')
      assert.sameDeepMembers([...byDay.entries()], expected, 'read as the whole day, in pages')
    })
  })

  test("a kitchen another run froze meanwhile keeps that run's order; the other kitchens are frozen by this one", async ({
    assert,
  }) => {
    const { tenant } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    await kit.as(tenant, 'refezione', async () => {
      await Kitchen.create({ code: 'cc-nord', name: 'Centro cottura Nord', demo: false })
      await Kitchen.create({ code: 'cc-sud', name: 'Centro cottura Sud', demo: false })
      await KitchenSchool.create({ kitchenCode: 'cc-nord', schoolCode: 'alberoni' })
      await KitchenSchool.create({ kitchenCode: 'cc-sud', schoolCode: 'besurica' })
    })
    await child(tenant, parent.id)
    await child(tenant, parent.id)
    await child(tenant, parent.id, { school: 'besurica', order: 'infanzia', classYear: null, section: 'A' })
    setClock(`${DAY}T09:30`)
    const frozen = await kit.as(tenant, 'refezione', async (ctx) => {
      let raced = false
      // The other run writes its cc-nord order after this one has read which kitchens are left to do.
      const racing: PluginContext = {
        ...ctx,
        transaction: async (fn) => {
          if (!raced) {
            raced = true
            await Order.create({
              day: DAY,
              kitchenCode: 'cc-nord',
              status: 'frozen',
              frozenAt: '2026-12-01T08:30:00.000Z',
              confirmedAt: null,
              confirmedBy: null,
              estimated: true,
              meals: 99,
              revision: 1,
              lines: { classes: [], adults: [] },
              specialDiets: [],
            })
          }
          return ctx.transaction(fn)
        },
      }
      return freezeDay(racing, DAY)
    })
    assert.deepEqual(
      frozen.map((o) => o.kitchenCode),
      ['cc-sud'],
      'this run froze only the kitchen the other had not'
    )
    await kit.as(tenant, 'refezione', async () => {
      const orders = await Order.query().orderBy('kitchen_code')
      assert.deepEqual(
        orders.map((o) => [o.kitchenCode, o.meals]),
        [
          ['cc-nord', 99],
          ['cc-sud', 1],
        ]
      )
    })
  })
})
