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

  test('rows created together get their ids in order, the tenant, an audit row each and their health data encrypted', async ({
    assert,
  }) => {
    const { tenant } = await canteenTenant()
    const other = await kit.tenant(['refezione'])
    const order = (kitchenCode: string, meals: number) => ({
      day: DAY,
      kitchenCode,
      status: 'frozen' as const,
      frozenAt: '2026-12-01T08:30:00.000Z',
      confirmedAt: null,
      confirmedBy: null,
      estimated: false,
      meals,
      revision: 1,
      lines: { classes: [], adults: [] },
      specialDiets: [
        {
          school_code: 'alberoni',
          class_year: '1',
          section: 'A',
          first_name: 'Anna',
          last_name: 'Rossi',
          diet: 'vegetarian',
          plain: false,
        },
      ],
    })
    const rows = await kit.as(tenant, 'refezione', (ctx) =>
      ctx.transaction((tctx) =>
        Order.createAll([order('cc-1', 1), order('cc-2', 2), order('cc-3', 3)], { client: tctx.trx! })
      )
    )
    assert.deepEqual(
      rows.map((r) => [r.kitchenCode, r.meals, r.tenantId, r.$isPersisted]),
      [
        ['cc-1', 1, tenant.id, true],
        ['cc-2', 2, tenant.id, true],
        ['cc-3', 3, tenant.id, true],
      ]
    )
    await kit.as(tenant, 'refezione', async () => {
      const stored = await Order.query().orderBy('id')
      assert.deepEqual(
        stored.map((o) => [o.id, o.kitchenCode, o.meals, o.specialDiets?.[0].first_name]),
        rows.map((r) => [r.id, r.kitchenCode, r.meals, 'Anna']),
        'each id read back is the row given in that place'
      )
      assert.isNotNull(stored[0].createdAt, 'timestamps set as create sets them')
      const raw = await Order.query().select('special_diets').pojo<{ special_diets: string }>()
      for (const r of raw) assert.notInclude(r.special_diets, 'Anna', 'the named diets are ciphertext at rest')
    })
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const audits = await db
      .from('audit_logs')
      .where('entity', 'refezione_orders')
      .whereIn(
        'entity_id',
        rows.map((r) => String(r.id))
      )
      .orderBy('id')
    assert.deepEqual(
      audits.map((a) => [a.tenant_id, a.action, a.entity_id]),
      rows.map((r) => [tenant.id, 'create', String(r.id)])
    )
    for (const a of audits) {
      const after = typeof a.after === 'string' ? JSON.parse(a.after) : a.after
      assert.equal(after.specialDiets, '[cifrato]', 'the audit says the diets changed, never what they are')
    }
    // The other tenant sees none of them.
    assert.lengthOf(await kit.as(other, 'refezione', () => Order.query()), 0)
  })
})
