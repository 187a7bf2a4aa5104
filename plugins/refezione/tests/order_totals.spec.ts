import { test } from '@japa/runner'
import { kit, child, resetClock, schoolYear, setClock } from './world.js'
import Kitchen from '../models/kitchen.js'
import KitchenSchool from '../models/kitchen_school.js'
import Order from '../models/order.js'
import Alert from '../models/alert.js'
import { computeOrder, computeOrders, totalsOf } from '../services/order_service.js'

const DAY = '2026-12-01'

/**
 * Two kitchens, four schools, every case of the canteen day at once: a closed class with marks
 * that override the family (and one that agrees), a class left open (estimated: its marks do not
 * count), a pre-school section, a secondary class of the other kitchen, a class out on a trip,
 * adults by slot with a later entry replacing an earlier one. The expected totals below are
 * worked out by hand from the rule in the README, child by child.
 */
const SCHOOLS = [
  {
    code: 'alberoni',
    name: 'Scuola primaria Alberoni',
    order: 'primaria',
    services: ['refezione'],
    classes: [
      { year: '1', section: 'A' },
      { year: '2', section: 'B' },
    ],
  },
  {
    code: 'besurica',
    name: "Scuola dell'infanzia Besurica",
    order: 'infanzia',
    services: ['refezione'],
    classes: [{ year: null, section: 'A' }],
  },
  {
    code: 'carducci',
    name: 'Scuola secondaria Carducci',
    order: 'secondaria',
    services: ['refezione'],
    classes: [
      { year: '1', section: 'A' },
      { year: '2', section: 'A' },
    ],
  },
]

test.group('Refezione: the cut-off computes every kitchen together, with the totals of the fixture', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  test('the orders of a fixture day have exactly the totals worked out by hand', async ({ client, assert }) => {
    const tenant = await kit.tenant(['refezione'])
    await kit.schools(tenant, SCHOOLS)
    await schoolYear(tenant)
    const office = await kit.member(tenant, ['operator'])
    const parent = await kit.member(tenant, ['citizen'])
    await kit.as(tenant, 'refezione', async () => {
      await Kitchen.create({ code: 'cc-nord', name: 'Centro cottura Nord', demo: false })
      await Kitchen.create({ code: 'cc-sud', name: 'Centro cottura Sud', demo: false })
      await KitchenSchool.create({ kitchenCode: 'cc-nord', schoolCode: 'alberoni' })
      await KitchenSchool.create({ kitchenCode: 'cc-nord', schoolCode: 'besurica' })
      await KitchenSchool.create({ kitchenCode: 'cc-sud', schoolCode: 'carducci' })
    })
    const at = (place: { school: string; order: string; classYear: string | null; section: string }) => ({
      ...place,
      add: (diet?: string) => child(tenant, parent.id, { ...place, diet: diet ?? null }),
    })
    const a1A = at({ school: 'alberoni', order: 'primaria', classYear: '1', section: 'A' })
    const a2B = at({ school: 'alberoni', order: 'primaria', classYear: '2', section: 'B' })
    const bA = at({ school: 'besurica', order: 'infanzia', classYear: null, section: 'A' })
    const c1A = at({ school: 'carducci', order: 'secondaria', classYear: '1', section: 'A' })
    const c2A = at({ school: 'carducci', order: 'secondaria', classYear: '2', section: 'A' })

    // Alberoni 1ª A, closed: eats a1, a3 (plain, family), a5, a6 (marked present over the family's
    // cancellation), a7 (marked plain); a2 cancelled by the family, a4 marked absent.
    const a1 = await a1A.add('vegetarian')
    const a2 = await a1A.add()
    const a3 = await a1A.add()
    const a4 = await a1A.add('medical')
    const a5 = await a1A.add('no_pork')
    const a6 = await a1A.add()
    const a7 = await a1A.add()
    // Alberoni 2ª B, left open: the fallback rule, b1's absent mark does not count; b2 cancelled, b3 plain.
    const b1 = await a2B.add('medical')
    const b2 = await a2B.add()
    const b3 = await a2B.add('vegan')
    // Besurica A, closed: eats the first and c3; c2 marked absent.
    await bA.add()
    const c2 = await bA.add('vegetarian')
    const c3 = await bA.add('medical')
    // Carducci 1ª A (the other kitchen), closed: d3 marked absent, d4 plain by the family.
    const d1 = await c1A.add('no_meat')
    await c1A.add()
    const d3 = await c1A.add()
    const d4 = await c1A.add()
    // Carducci 2ª A is out on a trip: no canteen, no line, no alert.
    await c2A.add('vegan')

    const api = `/api/v1/t/${tenant.slug}/refezione`
    const trip = await client
      .post(`${api}/calendar/closures`)
      .json({
        school_year: '2026/2027',
        kind: 'trip',
        starts_on: DAY,
        ends_on: DAY,
        school_code: 'carducci',
        class_year: '2',
        section: 'A',
        reason: 'Gita',
      })
      .loginAs(office)
    trip.assertStatus(201)

    setClock(`${DAY}T08:00`)
    for (const [who, kind] of [
      [a2, 'cancel'],
      [a3, 'plain'],
      [a6, 'cancel'],
      [b2, 'cancel'],
      [b3, 'plain'],
      [d4, 'plain'],
    ] as const) {
      const asked = await client.put(`${api}/my/children/${who.id}/days/${DAY}`).json({ kind }).loginAs(parent)
      asked.assertStatus(200)
    }
    setClock(`${DAY}T09:00`)
    let n = 0
    const mark = (who: { id: number }, place: typeof a1A, body: Record<string, unknown>) => ({
      id: `fixture-mark-${++n}`,
      day: DAY,
      school_code: place.school,
      class_year: place.classYear,
      section: place.section,
      enrolment_id: who.id,
      marked_at: `${DAY}T08:${String(10 + n).padStart(2, '0')}:00+01:00`,
      ...body,
    })
    const marks = await client
      .post(`${api}/attendance/marks`)
      .json({
        marks: [
          mark(a4, a1A, { status: 'absent' }),
          mark(a6, a1A, { status: 'present' }),
          mark(a7, a1A, { plain: true }),
          mark(b1, a2B, { status: 'absent' }),
          mark(c2, bA, { status: 'absent' }),
          mark(d3, c1A, { status: 'absent' }),
          mark(d1, c1A, { late_entry: true }),
        ],
      })
      .loginAs(office)
    marks.assertStatus(200)
    assert.isTrue(marks.body().results.every((r: { result: string }) => r.result === 'accepted'))
    const adults = await client
      .post(`${api}/attendance/adults`)
      .json({
        entries: [
          {
            id: 'fixture-adults-1',
            day: DAY,
            school_code: 'alberoni',
            slot: '12:00',
            kind: 'teacher',
            count: 2,
            marked_at: `${DAY}T08:30:00+01:00`,
          },
          {
            id: 'fixture-adults-2',
            day: DAY,
            school_code: 'alberoni',
            slot: '12:00',
            kind: 'other',
            count: 1,
            marked_at: `${DAY}T08:31:00+01:00`,
          },
          // The later entry of the same slot and kind is the one that counts.
          {
            id: 'fixture-adults-3',
            day: DAY,
            school_code: 'alberoni',
            slot: '12:00',
            kind: 'teacher',
            count: 3,
            marked_at: `${DAY}T08:40:00+01:00`,
          },
          {
            id: 'fixture-adults-4',
            day: DAY,
            school_code: 'carducci',
            slot: '12:30',
            kind: 'teacher',
            count: 1,
            marked_at: `${DAY}T08:41:00+01:00`,
          },
        ],
      })
      .loginAs(office)
    adults.assertStatus(200)
    for (const place of [a1A, bA, c1A]) {
      const closed = await client
        .post(`${api}/attendance/close`)
        .json({ day: DAY, school_code: place.school, class_year: place.classYear, section: place.section })
        .loginAs(office)
      closed.assertStatus(200)
    }

    setClock(`${DAY}T09:30`)
    const expected = {
      'cc-nord': {
        meals: 9,
        estimated: true,
        totals: {
          meals: 9,
          plain: 3,
          by_school: { alberoni: 7, besurica: 2 },
          by_order: { primaria: 7, infanzia: 2 },
          by_diet: { vegetarian: 1, no_pork: 1, medical: 2, vegan: 1, ordinary: 4 },
          adults: { teachers: 3, others: 1 },
        },
        named: [
          [a1.id, 'vegetarian', false],
          [a5.id, 'no_pork', false],
          [b1.id, 'medical', false],
          [b3.id, 'vegan', true],
          [c3.id, 'medical', false],
        ],
      },
      'cc-sud': {
        meals: 3,
        estimated: false,
        totals: {
          meals: 3,
          plain: 1,
          by_school: { carducci: 3 },
          by_order: { secondaria: 3 },
          by_diet: { no_meat: 1, ordinary: 2 },
          adults: { teachers: 1, others: 0 },
        },
        named: [[d1.id, 'no_meat', false]],
      },
    }
    const names = new Map(
      [a1, a5, b1, b3, c3, d1].map((e) => [`${e.child.lastName} ${e.child.firstName}`, e.id] as const)
    )

    // The set-based path (every kitchen at once) and the one-kitchen path give the same orders.
    await kit.as(tenant, 'refezione', async (ctx) => {
      const together = await computeOrders(ctx, DAY, ['cc-nord', 'cc-sud'])
      for (const code of ['cc-nord', 'cc-sud'] as const) {
        const alone = await computeOrder(ctx, DAY, code)
        assert.deepEqual(together.get(code), alone, `${code}: together as alone`)
        const computed = together.get(code)!
        assert.deepEqual(totalsOf(computed.lines), expected[code].totals, `${code}: totals`)
        assert.equal(computed.meals, expected[code].meals)
        assert.equal(computed.estimated, expected[code].estimated)
        assert.sameDeepMembers(
          computed.specialDiets.map((d) => [names.get(`${d.last_name} ${d.first_name}`), d.diet, d.plain]),
          expected[code].named
        )
      }
    })

    // The job freezes them as computed; the kitchens read the same totals.
    await kit.runJob(tenant, 'refezione', 'cutoff')
    for (const code of ['cc-nord', 'cc-sud'] as const) {
      const read = await client.get(`${api}/orders/${DAY}/${code}`).loginAs(office)
      read.assertStatus(200)
      const order = read.body().order
      assert.include(order, { meals: expected[code].meals, estimated: expected[code].estimated, revision: 1 })
      assert.deepEqual(order.totals, expected[code].totals, `${code}: frozen totals`)
      assert.sameDeepMembers(
        order.special_diets.map((d: { first_name: string; last_name: string; diet: string; plain: boolean }) => [
          names.get(`${d.last_name} ${d.first_name}`),
          d.diet,
          d.plain,
        ]),
        expected[code].named
      )
    }
    await kit.as(tenant, 'refezione', async () => {
      assert.lengthOf(await Order.query(), 2)
      const alerts = await Alert.query().where('kind', 'class_not_closed')
      assert.deepEqual(
        alerts.map((a) => [a.kitchenCode, a.schoolCode, a.classYear, a.section]),
        [['cc-nord', 'alberoni', '2', 'B']]
      )
    })
  })
})
