import { test } from '@japa/runner'
import { kit, canteenTenant, child, resetClock, schoolYear, setClock } from './world.js'
import MealRequest from '../models/meal_request.js'

test.group('Refezione: families cancel a meal or ask for a plain one', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  async function world() {
    const { tenant } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    const other = await kit.member(tenant, ['citizen'])
    const enrolment = await child(tenant, parent.id)
    const url = (day: string) => `/api/v1/t/${tenant.slug}/refezione/my/children/${enrolment.id}/days/${day}`
    const count = () => kit.as(tenant, 'refezione', async () => (await MealRequest.query()).length)
    return { tenant, parent, other, enrolment, url, count }
  }

  test('before the cut-off a request for today is kept, and asking again changes nothing', async ({
    client,
    assert,
  }) => {
    const { parent, url, count, enrolment, tenant } = await world()
    setClock('2026-12-01T09:29')
    const first = await client.put(url('2026-12-01')).json({ kind: 'cancel' }).loginAs(parent)
    first.assertStatus(200)
    assert.deepEqual(first.body().request, { enrolment_id: enrolment.id, day: '2026-12-01', kind: 'cancel' })
    ;(await client.put(url('2026-12-01')).json({ kind: 'cancel' }).loginAs(parent)).assertStatus(200)
    assert.equal(await count(), 1)
    ;(await client.put(url('2026-12-01')).json({ kind: 'plain' }).loginAs(parent)).assertStatus(200)
    assert.equal(await count(), 1)
    const listed = await client
      .get(`/api/v1/t/${tenant.slug}/refezione/my/children/${enrolment.id}/requests`)
      .qs({ from: '2026-12-01', to: '2026-12-31' })
      .loginAs(parent)
    assert.deepEqual(listed.body().requests, [{ enrolment_id: enrolment.id, day: '2026-12-01', kind: 'plain' }])
    ;(await client.delete(url('2026-12-01')).loginAs(parent)).assertStatus(204)
    ;(await client.delete(url('2026-12-01')).loginAs(parent)).assertStatus(204)
    assert.equal(await count(), 0)
  })

  test('after the cut-off today is refused with the time it closed; tomorrow is still open', async ({
    client,
    assert,
  }) => {
    const { parent, url, count } = await world()
    setClock('2026-12-01T09:30')
    const late = await client.put(url('2026-12-01')).json({ kind: 'cancel' }).loginAs(parent)
    late.assertStatus(409)
    assert.equal(late.body().errors[0].rule, 'cutoff')
    assert.match(late.body().errors[0].message, /chiuse alle 09:30/)
    const lateEn = await client.delete(url('2026-12-01')).header('accept-language', 'en').loginAs(parent)
    lateEn.assertStatus(409)
    assert.match(lateEn.body().errors[0].message, /closed at 09:30/)
    ;(await client.put(url('2026-12-02')).json({ kind: 'cancel' }).loginAs(parent)).assertStatus(200)
    const past = await client.put(url('2026-11-30')).json({ kind: 'cancel' }).loginAs(parent)
    past.assertStatus(409)
    assert.equal(await count(), 1)
  })

  test('the cut-off and the horizon are tenant settings', async ({ client, assert }) => {
    const { parent, url, tenant } = await world()
    await kit.settings(tenant, 'refezione', { cutoff_time: '10:00', booking_horizon_days: 7 })
    setClock('2026-12-01T09:45')
    ;(await client.put(url('2026-12-01')).json({ kind: 'cancel' }).loginAs(parent)).assertStatus(200)
    ;(await client.put(url('2026-12-08')).json({ kind: 'cancel' }).loginAs(parent)).assertStatus(200)
    const far = await client.put(url('2026-12-09')).json({ kind: 'cancel' }).loginAs(parent)
    far.assertStatus(422)
    assert.equal(far.body().errors[0].rule, 'horizon')
    assert.match(far.body().errors[0].message, /2026-12-08/)
  })

  test("the family's children come with the booking window as the server's clock sees it", async ({
    client,
    assert,
  }) => {
    const { parent, other, tenant, enrolment } = await world()
    await kit.settings(tenant, 'refezione', { cutoff_time: '10:00', booking_horizon_days: 7 })
    const children = () => client.get(`/api/v1/t/${tenant.slug}/refezione/my/children`)
    setClock('2026-12-01T09:59')
    const before = await children().loginAs(parent)
    before.assertStatus(200)
    assert.deepEqual(before.body().booking, {
      today: '2026-12-01',
      today_open: true,
      cutoff_time: '10:00',
      last_day: '2026-12-08',
      horizon_days: 7,
    })
    assert.deepEqual(
      before.body().children.map((c: { enrolment_id: number }) => c.enrolment_id),
      [enrolment.id]
    )
    setClock('2026-12-01T10:00')
    assert.isFalse((await children().loginAs(parent)).body().booking.today_open)
    assert.deepEqual((await children().loginAs(other)).body().children, [])
  })

  test("refused: another family's child, a day without canteen, a bad kind, an impossible date", async ({
    client,
    assert,
  }) => {
    const { parent, other, url, tenant } = await world()
    setClock('2026-12-01T08:00')
    const foreign = await client.put(url('2026-12-02')).json({ kind: 'cancel' }).loginAs(other)
    foreign.assertStatus(404)
    const saturday = await client.put(url('2026-12-05')).json({ kind: 'cancel' }).loginAs(parent)
    saturday.assertStatus(422)
    assert.equal(saturday.body().errors[0].rule, 'no_service')
    const kind = await client.put(url('2026-12-02')).json({ kind: 'extra' }).loginAs(parent)
    kind.assertStatus(422)
    assert.equal(kind.body().errors[0].path, '/kind')
    ;(await client.put(url('2026-02-30')).json({ kind: 'cancel' }).loginAs(parent)).assertStatus(422)
    const operator = await kit.member(tenant, ['operator'])
    ;(await client.put(url('2026-12-02')).json({ kind: 'cancel' }).loginAs(operator)).assertStatus(403)
  })
})

test.group('Refezione: families see the meals consumed up to yesterday', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  test('each canteen day of the month until yesterday: eaten, cancelled, plain, as marked or as estimated', async ({
    client,
    assert,
  }) => {
    const { tenant } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    const staff = await kit.member(tenant, ['operator'])
    const enrolment = await child(tenant, parent.id)
    const api = `/api/v1/t/${tenant.slug}/refezione`
    setClock('2026-12-01T08:00')
    await client.put(`${api}/my/children/${enrolment.id}/days/2026-12-02`).json({ kind: 'cancel' }).loginAs(parent)
    await client.put(`${api}/my/children/${enrolment.id}/days/2026-12-03`).json({ kind: 'plain' }).loginAs(parent)
    setClock('2026-12-04T09:00')
    // Thursday the 3rd: the school marked the child absent and closed the class.
    await client
      .post(`${api}/attendance/marks`)
      .json({
        source: 'paper',
        marks: [
          {
            id: 'paper-0003-absent',
            day: '2026-12-03',
            school_code: 'alberoni',
            class_year: '1',
            section: 'A',
            enrolment_id: enrolment.id,
            status: 'absent',
            marked_at: '2026-12-03T09:00:00+01:00',
          },
        ],
      })
      .loginAs(staff)
    await client
      .post(`${api}/attendance/close`)
      .json({ source: 'paper', day: '2026-12-03', school_code: 'alberoni', class_year: '1', section: 'A' })
      .loginAs(staff)
    const response = await client
      .get(`${api}/my/children/${enrolment.id}/meals`)
      .qs({ month: '2026-12' })
      .loginAs(parent)
    response.assertStatus(200)
    assert.deepEqual(response.body(), {
      month: '2026-12',
      meals: 1,
      days: [
        { day: '2026-12-01', ate: true, plain: false, estimated: true },
        { day: '2026-12-02', ate: false, plain: false, estimated: true },
        { day: '2026-12-03', ate: false, plain: false, estimated: false },
      ],
    })
    const other = await kit.member(tenant, ['citizen'])
    ;(
      await client.get(`${api}/my/children/${enrolment.id}/meals`).qs({ month: '2026-12' }).loginAs(other)
    ).assertStatus(404)
  })
})
