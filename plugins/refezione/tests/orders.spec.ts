import { test } from '@japa/runner'
import { kit, canteenTenant, child, resetClock, schoolYear, setClock } from './world.js'
import Assignment from '../models/assignment.js'
import Alert from '../models/alert.js'
import Kitchen from '../models/kitchen.js'
import KitchenSchool from '../models/kitchen_school.js'
import Order from '../models/order.js'

test.group('Refezione: kitchen orders frozen at the cut-off', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  /**
   * Alberoni 1ª A closed by its school: Anna (vegetarian) eats, Bruno's family cancelled, Carla's asked
   * for a plain meal. Alberoni 2ª B (Dario, medical diet) and Besurica A (Elena) are left open.
   */
  async function world() {
    const { tenant, operator } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    const staff = await kit.member(tenant, ['school_staff'])
    const cook = await kit.member(tenant, ['kitchen'])
    const otherCook = await kit.member(tenant, ['kitchen'])
    await kit.as(tenant, 'refezione', async () => {
      await Kitchen.create({ code: 'cc-nord', name: 'Centro cottura Nord', demo: false })
      await KitchenSchool.create({ kitchenCode: 'cc-nord', schoolCode: 'alberoni' })
      await KitchenSchool.create({ kitchenCode: 'cc-nord', schoolCode: 'besurica' })
      await Assignment.create({ userId: staff.id, scope: 'school', code: 'alberoni' })
      await Assignment.create({ userId: cook.id, scope: 'kitchen', code: 'cc-nord' })
      await Assignment.create({ userId: otherCook.id, scope: 'kitchen', code: 'cc-sud' })
    })
    const anna = await child(tenant, parent.id, { diet: 'vegetarian' })
    const bruno = await child(tenant, parent.id)
    const carla = await child(tenant, parent.id)
    const dario = await child(tenant, parent.id, { classYear: '2', section: 'B', diet: 'medical' })
    await child(tenant, parent.id, { school: 'besurica', order: 'infanzia', classYear: null, section: 'A' })
    const api = `/api/v1/t/${tenant.slug}/refezione`
    return { tenant, operator, parent, staff, cook, otherCook, anna, bruno, carla, dario, api }
  }

  async function morning(w: Awaited<ReturnType<typeof world>>, client: any) {
    setClock('2026-12-01T08:00')
    await client.put(`${w.api}/my/children/${w.bruno.id}/days/2026-12-01`).json({ kind: 'cancel' }).loginAs(w.parent)
    await client.put(`${w.api}/my/children/${w.carla.id}/days/2026-12-01`).json({ kind: 'plain' }).loginAs(w.parent)
    setClock('2026-12-01T09:00')
    const at = '2026-12-01T09:00:00+01:00'
    await client
      .post(`${w.api}/attendance/marks`)
      .json({
        marks: [
          // Not closed, so it does not count: the open class goes by the fallback rule.
          {
            id: 'tab-dario-absent',
            day: '2026-12-01',
            school_code: 'alberoni',
            class_year: '2',
            section: 'B',
            enrolment_id: w.dario.id,
            status: 'absent',
            marked_at: at,
          },
        ],
      })
      .loginAs(w.staff)
    await client
      .post(`${w.api}/attendance/adults`)
      .json({
        entries: [
          {
            id: 'adults-t-1200',
            day: '2026-12-01',
            school_code: 'alberoni',
            slot: '12:00',
            kind: 'teacher',
            count: 2,
            marked_at: at,
          },
          {
            id: 'adults-o-1200',
            day: '2026-12-01',
            school_code: 'alberoni',
            slot: '12:00',
            kind: 'other',
            count: 1,
            marked_at: at,
          },
        ],
      })
      .loginAs(w.staff)
    await client
      .post(`${w.api}/attendance/close`)
      .json({ day: '2026-12-01', school_code: 'alberoni', class_year: '1', section: 'A' })
      .loginAs(w.staff)
  }

  test('at the cut-off the job freezes the order once: closed classes as marked, open ones estimated with an alert', async ({
    client,
    assert,
  }) => {
    const w = await world()
    await morning(w, client)
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    assert.equal(await kit.as(w.tenant, 'refezione', async () => (await Order.query()).length), 0, 'not before 9:30')

    setClock('2026-12-01T09:30')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    const response = await client.get(`${w.api}/orders/2026-12-01/cc-nord`).loginAs(w.cook)
    response.assertStatus(200)
    const order = response.body().order
    assert.include(order, { status: 'frozen', meals: 4, estimated: true, revision: 1 })
    const line = (year: string | null, section: string) =>
      order.classes.find((l: any) => l.class_year === year && l.section === section)
    assert.deepInclude(line('1', 'A'), { meals: 2, plain: 1, diets: { vegetarian: 1 }, estimated: false })
    assert.deepInclude(line('2', 'B'), { meals: 1, diets: { medical: 1 }, estimated: true })
    assert.deepInclude(line(null, 'A'), { meals: 1, order: 'infanzia', estimated: true })
    assert.deepEqual(order.totals.by_order, { primaria: 3, infanzia: 1 })
    assert.deepEqual(order.totals.by_diet, { vegetarian: 1, medical: 1, ordinary: 2 })
    assert.deepEqual(order.totals.adults, { teachers: 2, others: 1 })
    assert.sameMembers(
      order.special_diets.map((d: any) => `${d.first_name}:${d.diet}`),
      [`${w.anna.child.firstName}:vegetarian`, `${w.dario.child.firstName}:medical`]
    )

    await kit.as(w.tenant, 'refezione', async () => {
      assert.lengthOf(await Order.query(), 1)
      const alerts = await Alert.query().orderBy('id')
      assert.sameDeepMembers(
        alerts.map((a) => [a.kind, a.schoolCode, a.classYear, a.section]),
        [
          ['class_not_closed', 'alberoni', '2', 'B'],
          ['class_not_closed', 'besurica', '', 'A'],
        ]
      )
      // Diets are health data: the stored list is ciphertext.
      const raw = (await Order.query().pojo<{ special_diets: string }>())[0]
      assert.notInclude(raw.special_diets, 'vegetarian')
      assert.notInclude(raw.special_diets, w.anna.child.firstName!)
    })

    // The audit says the named list was written, never what it holds.
    const admin = await kit.member(w.tenant, ['tenant_admin'])
    const audit = await client.get(`/api/v1/t/${w.tenant.slug}/audit`).qs({ entity: 'refezione_orders' }).loginAs(admin)
    audit.assertStatus(200)
    assert.lengthOf(audit.body().entries, 1)
    assert.equal(audit.body().entries[0].after.specialDiets, '[cifrato]')
    assert.notInclude(JSON.stringify(audit.body()), w.anna.child.firstName!)

    const staffAlerts = await client.get(`${w.api}/alerts`).qs({ day: '2026-12-01' }).loginAs(w.staff)
    assert.deepEqual(
      staffAlerts.body().alerts.map((a: any) => a.school_code),
      ['alberoni']
    )
  })

  test('only the kitchen that cooks it and the back office read the order; the kitchen confirms it, once', async ({
    client,
    assert,
  }) => {
    const w = await world()
    await morning(w, client)
    setClock('2026-12-01T09:31')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    ;(await client.get(`${w.api}/orders/2026-12-01/cc-nord`).loginAs(w.otherCook)).assertStatus(403)
    ;(await client.get(`${w.api}/orders/2026-12-01/cc-nord`).loginAs(w.staff)).assertStatus(403)
    ;(await client.get(`${w.api}/orders/2026-12-01/cc-nord`).loginAs(w.operator)).assertStatus(200)
    const mine = await client.get(`${w.api}/orders`).qs({ day: '2026-12-01' }).loginAs(w.otherCook)
    assert.deepEqual(mine.body().orders, [])

    const confirmed = await client.post(`${w.api}/orders/2026-12-01/cc-nord/confirm`).loginAs(w.cook)
    confirmed.assertStatus(200)
    assert.equal(confirmed.body().order.status, 'confirmed')
    const again = await client.post(`${w.api}/orders/2026-12-01/cc-nord/confirm`).loginAs(w.cook)
    assert.equal(again.body().order.confirmed_at, confirmed.body().order.confirmed_at)

    setClock('2026-12-01T10:45')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    const unconfirmed = await kit.as(w.tenant, 'refezione', () => Alert.query().where('kind', 'order_unconfirmed'))
    assert.lengthOf(unconfirmed, 0)
  })

  test('an order left unconfirmed past the delay raises an alert, once', async ({ client, assert }) => {
    const w = await world()
    await morning(w, client)
    setClock('2026-12-01T09:35')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    setClock('2026-12-01T10:29')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    const count = () =>
      kit.as(w.tenant, 'refezione', async () => (await Alert.query().where('kind', 'order_unconfirmed')).length)
    assert.equal(await count(), 0)
    setClock('2026-12-01T10:31')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    assert.equal(await count(), 1)
  })

  test('a change after the cut-off needs a reason, is recorded with it, and asks the kitchen to confirm again', async ({
    client,
    assert,
  }) => {
    const w = await world()
    await morning(w, client)
    setClock('2026-12-01T09:30')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    await client.post(`${w.api}/orders/2026-12-01/cc-nord/confirm`).loginAs(w.cook)
    setClock('2026-12-01T09:50')
    const closeLate = await client
      .post(`${w.api}/attendance/close`)
      .json({ day: '2026-12-01', school_code: 'alberoni', class_year: '2', section: 'B' })
      .loginAs(w.staff)
    assert.isTrue(closeLate.body().closed.after_cutoff)
    const noReason = await client.post(`${w.api}/orders/2026-12-01/cc-nord/revise`).json({}).loginAs(w.operator)
    noReason.assertStatus(422)
    assert.equal(noReason.body().errors[0].path, '/reason')
    ;(
      await client
        .post(`${w.api}/orders/2026-12-01/cc-nord/revise`)
        .json({ reason: 'Classe 2B chiusa in ritardo' })
        .loginAs(w.cook)
    ).assertStatus(403)
    const revised = await client
      .post(`${w.api}/orders/2026-12-01/cc-nord/revise`)
      .json({ reason: 'Classe 2B chiusa in ritardo' })
      .loginAs(w.operator)
    revised.assertStatus(200)
    assert.include(revised.body().order, { meals: 3, revision: 2, status: 'frozen' })
    const order = (await client.get(`${w.api}/orders/2026-12-01/cc-nord`).loginAs(w.cook)).body().order
    assert.deepEqual(
      order.changes.map((c: any) => [c.revision, c.reason, c.meals_before, c.meals_after, c.changed_by]),
      [[2, 'Classe 2B chiusa in ritardo', 4, 3, w.operator.id]]
    )
    assert.deepEqual(
      order.special_diets.map((d: any) => d.diet),
      ['vegetarian']
    )
  })

  test('a run that stopped halfway is finished by the next one: the frozen orders stay as they were', async ({
    client,
    assert,
  }) => {
    const w = await world()
    await morning(w, client)
    await kit.as(w.tenant, 'refezione', async () => {
      await Kitchen.create({ code: 'cc-sud', name: 'Centro cottura Sud', demo: false })
      const link = await KitchenSchool.query().where('school_code', 'besurica').firstOrFail()
      link.kitchenCode = 'cc-sud'
      await link.save()
    })
    setClock('2026-12-01T09:30')
    // The first run froze cc-nord and stopped before cc-sud.
    await kit.as(w.tenant, 'refezione', async (ctx) => {
      const { computeOrder } = await import('../services/order_service.js')
      const computed = await computeOrder(ctx, '2026-12-01', 'cc-nord')
      await Order.create({
        day: '2026-12-01',
        kitchenCode: 'cc-nord',
        status: 'frozen',
        frozenAt: '2026-12-01T08:30:00.000Z',
        confirmedAt: null,
        confirmedBy: null,
        estimated: computed.estimated,
        meals: computed.meals,
        revision: 1,
        lines: computed.lines,
        specialDiets: computed.specialDiets,
      })
    })
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    await kit.as(w.tenant, 'refezione', async () => {
      const orders = await Order.query().orderBy('kitchen_code')
      assert.deepEqual(
        orders.map((o) => [o.kitchenCode, o.meals, o.frozenAt]),
        [
          ['cc-nord', 3, '2026-12-01T08:30:00.000Z'],
          ['cc-sud', 1, orders[1].frozenAt],
        ]
      )
    })
    const sud = await client.get(`${w.api}/orders/2026-12-01/cc-sud`).loginAs(w.otherCook)
    sud.assertStatus(200)
    assert.equal(sud.body().order.meals, 1)
  })

  test('the order prints as a PDF and exports as CSV for the emergency path', async ({ client, assert }) => {
    const w = await world()
    await morning(w, client)
    setClock('2026-12-01T09:30')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    const pdf = await client.get(`${w.api}/orders/2026-12-01/cc-nord/pdf`).loginAs(w.cook)
    pdf.assertStatus(200)
    assert.equal(pdf.header('content-type'), 'application/pdf')
    const bytes = Buffer.from(pdf.body() as ArrayBuffer)
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-')
    if (process.env.REFEZIONE_PDF_OUT) {
      const { writeFile } = await import('node:fs/promises')
      await writeFile(process.env.REFEZIONE_PDF_OUT, bytes)
    }
    const csv = await client.get(`${w.api}/orders/2026-12-01/cc-nord/csv`).loginAs(w.cook)
    csv.assertStatus(200)
    const text = csv.text()
    assert.isTrue(text.startsWith('\uFEFFGiorno;Centro cottura;Scuola;Ordine;Classe;Sezione;Pasti;In bianco;'))
    assert.include(text, '2026-12-01;cc-nord;Scuola primaria Alberoni;primaria;1;A;2;1;')
    assert.include(text, '\r\nalberoni;12:00;2;1\r\n')
    ;(await client.get(`${w.api}/orders/2026-12-01/cc-nord/csv`).loginAs(w.staff)).assertStatus(403)
  })

  test('reports: presences by class, adults by slot, diets by school, meals in a period, classes late or estimated', async ({
    client,
    assert,
  }) => {
    const w = await world()
    await morning(w, client)
    setClock('2026-12-01T09:30')
    await kit.runJob(w.tenant, 'refezione', 'cutoff')
    const base = `/api/v1/t/${w.tenant.slug}/reports/refezione`
    const csv = async (id: string, qs: string) => {
      const response = await client.get(`${base}.${id}/export?format=csv&${qs}`).loginAs(w.operator)
      response.assertStatus(200)
      return response
        .text()
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
    }
    const presences = await csv('presenze', 'from=2026-11-30&to=2026-12-01')
    assert.equal(presences[0], 'Giorno;Scuola;Ordine;Classe;Sezione;Iscritti;Pasti;In bianco;Assenti;Stimato')
    assert.includeMembers(presences, [
      '2026-12-01;Scuola primaria Alberoni;primaria;1;A;3;2;1;1;No',
      '2026-12-01;Scuola primaria Alberoni;primaria;2;B;1;1;0;0;Sì',
      "2026-12-01;Scuola dell'infanzia Besurica;infanzia;;A;1;1;0;0;Sì",
    ])
    // Monday the 30th counts too (no marks: everyone enrolled, estimated).
    assert.lengthOf(presences, 7)

    assert.deepEqual(await csv('adulti', 'from=2026-12-01&to=2026-12-01'), [
      'Giorno;Scuola;Turno;Insegnanti;Altri adulti',
      '2026-12-01;alberoni;12:00;2;1',
    ])
    assert.deepEqual(await csv('diete', 'day=2026-12-01'), [
      'Scuola;Dieta;Bambini',
      'Scuola primaria Alberoni;sanitaria;1',
      'Scuola primaria Alberoni;vegetariana;1',
    ])
    assert.deepEqual(await csv('pasti', 'from=2026-12-01&to=2026-12-31'), [
      'Scuola;Ordine;Giorni di servizio;Pasti alunni;di cui in bianco;Pasti insegnanti;Pasti altri adulti;Classi stimate',
      "Scuola dell'infanzia Besurica;infanzia;1;1;0;0;0;1",
      'Scuola primaria Alberoni;primaria;1;3;1;2;1;1',
    ])
    const late = await csv('classi-in-ritardo', 'from=2026-12-01&to=2026-12-01')
    assert.lengthOf(late, 3)
    assert.include(late[1], "stimata all'orario limite")

    const tooLong = await client
      .get(`${base}.presenze/export?format=csv&from=2026-01-01&to=2027-12-31`)
      .loginAs(w.operator)
    tooLong.assertStatus(422)
    ;(
      await client.get(`${base}.presenze/export?format=csv&from=2026-12-01&to=2026-12-01`).loginAs(w.cook)
    ).assertStatus(403)

    const xlsx = await client
      .get(`${base}.presenze/export?format=xlsx&from=2026-12-01&to=2026-12-01`)
      .loginAs(w.operator)
    xlsx.assertStatus(200)
    assert.match(String(xlsx.header('content-type')), /spreadsheetml/)
  })
})
