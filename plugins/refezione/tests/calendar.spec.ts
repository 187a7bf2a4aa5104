import { test } from '@japa/runner'
import { kit, canteenTenant, resetClock, setClock } from './world.js'
import { easterSunday, emiliaRomagnaCalendar, seedDemoCalendar } from '../demo/demo_calendar.js'
import SchoolYear from '../models/school_year.js'
import Closure from '../models/closure.js'
import { calendarOn } from '../services/calendar_service.js'

const base = (slug: string) => `/api/v1/t/${slug}/refezione/calendar`

test.group('Refezione: the calendar', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  test('staff set the year, a school closure and a class trip; the day answers class by class', async ({
    client,
    assert,
  }) => {
    const { tenant, operator } = await canteenTenant()
    const url = base(tenant.slug)
    ;(
      await client
        .put(`${url}/years`)
        .json({ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2027-06-30' })
        .loginAs(operator)
    ).assertStatus(200)
    ;(
      await client
        .post(`${url}/closures`)
        .json({
          school_year: '2026/2027',
          kind: 'strike',
          starts_on: '2026-12-02',
          ends_on: '2026-12-02',
          school_code: 'besurica',
          reason: 'Sciopero del personale',
        })
        .loginAs(operator)
    ).assertStatus(201)
    ;(
      await client
        .post(`${url}/closures`)
        .json({
          school_year: '2026/2027',
          kind: 'trip',
          starts_on: '2026-12-02',
          ends_on: '2026-12-02',
          school_code: 'alberoni',
          class_year: '2',
          section: 'B',
          reason: 'Gita al museo',
        })
        .loginAs(operator)
    ).assertStatus(201)
    ;(
      await client
        .put(`${url}/service-days`)
        .json({ school_year: '2026/2027', school_code: 'alberoni', class_year: '1', section: 'A', weekdays: [1, 3] })
        .loginAs(operator)
    ).assertStatus(200)

    const wednesday = await client
      .get(`${url}/day`)
      .qs({ date: '2026-12-02', school_code: 'alberoni' })
      .loginAs(operator)
    wednesday.assertStatus(200)
    assert.deepEqual(
      wednesday.body().classes.map((c: any) => [c.class_year, c.section, c.served, c.reason]),
      [
        ['1', 'A', true, null],
        ['2', 'B', false, 'trip'],
      ]
    )
    const tuesday = await client.get(`${url}/day`).qs({ date: '2026-12-01', school_code: 'alberoni' }).loginAs(operator)
    assert.deepEqual(
      tuesday.body().classes.map((c: any) => [c.served, c.reason]),
      [
        [false, 'weekday'],
        [true, null],
      ]
    )
    const infanzia = await client
      .get(`${url}/day`)
      .qs({ date: '2026-12-02', school_code: 'besurica' })
      .loginAs(operator)
    assert.deepEqual(infanzia.body().school, {
      code: 'besurica',
      served: false,
      reason: 'strike',
      note: 'Sciopero del personale',
    })
    assert.isFalse(infanzia.body().classes[0].served)
    const summer = await client.get(`${url}/day`).qs({ date: '2027-07-05', school_code: 'besurica' }).loginAs(operator)
    assert.equal(summer.body().school.reason, 'no_school_year')
  })

  test("a school's month: each day with canteen or why not, and the classes that differ from their school", async ({
    client,
    assert,
  }) => {
    const { tenant, operator } = await canteenTenant()
    const url = base(tenant.slug)
    await client
      .put(`${url}/years`)
      .json({ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2027-06-30' })
      .loginAs(operator)
    const trip = await client
      .post(`${url}/closures`)
      .json({
        school_year: '2026/2027',
        kind: 'trip',
        starts_on: '2026-12-02',
        ends_on: '2026-12-03',
        school_code: 'alberoni',
        class_year: '2',
        section: 'B',
        reason: 'Gita al museo',
      })
      .loginAs(operator)
    await client
      .post(`${url}/closures`)
      .json({
        school_year: '2026/2027',
        kind: 'holiday',
        starts_on: '2026-12-08',
        ends_on: '2026-12-08',
        reason: 'Immacolata',
      })
      .loginAs(operator)
    const month = await client.get(`${url}/month`).qs({ month: '2026-12', school_code: 'alberoni' }).loginAs(operator)
    month.assertStatus(200)
    const days = month.body().days as any[]
    assert.deepEqual(month.body().weekdays, [1, 2, 3, 4, 5])
    assert.lengthOf(days, 31)
    const on = (day: string) => days.find((d) => d.day === day)
    assert.deepInclude(on('2026-12-01'), { weekday: 2, served: true, reason: null, classes: [] })
    assert.deepInclude(on('2026-12-02'), { served: true })
    assert.deepEqual(on('2026-12-02').classes, [
      { class_year: '2', section: 'B', served: false, reason: 'trip', note: 'Gita al museo' },
    ])
    assert.deepInclude(on('2026-12-05'), { served: false, reason: 'weekday', classes: [] })
    assert.deepInclude(on('2026-12-08'), { served: false, reason: 'holiday', note: 'Immacolata', classes: [] })
    assert.deepInclude(on('2026-12-04'), { served: true, classes: [] })

    // Removing the trip gives the class its canteen back; both writes are in the audit with their user.
    ;(await client.delete(`${url}/closures/${trip.body().closure.id}`).loginAs(operator)).assertStatus(204)
    const after = await client.get(`${url}/month`).qs({ month: '2026-12', school_code: 'alberoni' }).loginAs(operator)
    assert.deepEqual(after.body().days.find((d: any) => d.day === '2026-12-02').classes, [])
    const admin = await kit.member(tenant, ['tenant_admin'])
    const audit = await client.get(`/api/v1/t/${tenant.slug}/audit`).qs({ entity: 'refezione_closures' }).loginAs(admin)
    audit.assertStatus(200)
    const entries = audit.body().entries as any[]
    const tripEntries = entries.filter((e) => e.entityId === String(trip.body().closure.id))
    assert.sameDeepMembers(
      tripEntries.map((e) => [e.action, e.actorUserId, e.after?.reason ?? e.before?.reason]),
      [
        ['create', operator.id, 'Gita al museo'],
        ['delete', operator.id, 'Gita al museo'],
      ],
      JSON.stringify(tripEntries)
    )

    const bad = await client.get(`${url}/month`).qs({ month: '2026-13', school_code: 'alberoni' }).loginAs(operator)
    bad.assertStatus(422)
    const citizen = await kit.member(tenant, ['citizen'])
    ;(await client.get(`${url}/month`).qs({ month: '2026-12', school_code: 'alberoni' }).loginAs(citizen)).assertStatus(
      403
    )
  })

  test('refusals: other roles, dates outside the year, unknown schools and classes, impossible dates', async ({
    client,
    assert,
  }) => {
    const { tenant, operator } = await canteenTenant()
    const url = base(tenant.slug)
    const staff = await kit.member(tenant, ['school_staff'])
    const citizen = await kit.member(tenant, ['citizen'])
    const year = { code: '2026/2027', starts_on: '2026-09-15', ends_on: '2027-06-30' }
    ;(await client.put(`${url}/years`).json(year).loginAs(staff)).assertStatus(403)
    ;(await client.get(`${url}/years`).loginAs(citizen)).assertStatus(403)
    await client.put(`${url}/years`).json(year).loginAs(operator)

    const outside = await client
      .post(`${url}/closures`)
      .header('accept-language', 'en')
      .json({ school_year: '2026/2027', kind: 'closure', starts_on: '2027-07-01', ends_on: '2027-07-02', reason: 'x' })
      .loginAs(operator)
    outside.assertStatus(422)
    assert.match(outside.body().errors[0].message, /within school year 2026\/2027/)

    const noClass = await client
      .post(`${url}/closures`)
      .json({
        school_year: '2026/2027',
        kind: 'trip',
        starts_on: '2026-12-01',
        ends_on: '2026-12-01',
        school_code: 'alberoni',
        class_year: '5',
        section: 'Z',
        reason: 'Gita',
      })
      .loginAs(operator)
    noClass.assertStatus(422)
    assert.equal(noClass.body().errors[0].path, '/section')

    const noSchool = await client
      .put(`${url}/service-days`)
      .json({ school_year: '2026/2027', school_code: 'nowhere', weekdays: [1] })
      .loginAs(operator)
    noSchool.assertStatus(422)
    assert.equal(noSchool.body().errors[0].path, '/school_code')

    const impossible = await client
      .get(`${url}/day`)
      .qs({ date: '2026-02-30', school_code: 'alberoni' })
      .loginAs(operator)
    impossible.assertStatus(422)
    assert.equal(impossible.body().errors[0].path, '/date')

    const overlap = await client
      .put(`${url}/years`)
      .json({ code: '2027/2028', starts_on: '2027-06-01', ends_on: '2028-05-31' })
      .loginAs(operator)
    overlap.assertStatus(409)
  })

  test('staff move the end of the school year: implausible dates are refused at their field, the change is audited', async ({
    client,
    assert,
  }) => {
    const { tenant, operator } = await canteenTenant()
    const url = base(tenant.slug)
    const put = (body: object) =>
      client.put(`${url}/years`).header('accept-language', 'en').json(body).loginAs(operator)
    ;(await put({ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2027-06-30' })).assertStatus(200)

    const refusals: Array<[object, string, RegExp]> = [
      [{ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2026-09-01' }, '/ends_on', /before the first/],
      [{ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2026-09-15' }, '/ends_on', /must come after the first/],
      [{ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2027-09-15' }, '/ends_on', /before 2027-09-15/],
      [{ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2207-06-30' }, '/ends_on', /less than a year/],
      [{ code: '2026/2027', starts_on: '2027-09-15', ends_on: '2028-06-30' }, '/code', /start in 2026/],
      [{ code: '1026/1027', starts_on: '1026-09-15', ends_on: '1027-06-30' }, '/code', /YYYY\/YYYY\+1/],
      [{ code: '2026/2027', starts_on: '2026-02-30', ends_on: '2027-06-30' }, '/starts_on', /not a valid date/],
    ]
    for (const [body, path, message] of refusals) {
      const answer = await put(body)
      answer.assertStatus(422)
      const error = answer.body().errors[0]
      assert.equal(error.path, path, JSON.stringify(body))
      assert.match(error.message, message, JSON.stringify(body))
    }

    ;(await put({ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2027-06-10' })).assertStatus(200)
    const years = await client.get(`${url}/years`).loginAs(operator)
    assert.deepEqual(
      years.body().years.map((y: any) => [y.code, y.starts_on, y.ends_on]),
      [['2026/2027', '2026-09-15', '2027-06-10']]
    )
    const admin = await kit.member(tenant, ['tenant_admin'])
    const audit = await client
      .get(`/api/v1/t/${tenant.slug}/audit`)
      .qs({ entity: 'refezione_school_years' })
      .loginAs(admin)
    audit.assertStatus(200)
    const entries = audit.body().entries as any[]
    assert.sameDeepMembers(
      entries.map((e) => [e.action, e.actorUserId, e.after?.endsOn ?? e.after?.ends_on ?? null]),
      [
        ['create', operator.id, '2027-06-30'],
        ['update', operator.id, '2027-06-10'],
      ],
      JSON.stringify(entries)
    )
  })

  test("the demo's calendar follows Emilia-Romagna's regional dates and is seeded once, marked as demo", async ({
    assert,
  }) => {
    assert.equal(easterSunday(2027).toISODate(), '2027-03-28')
    assert.equal(easterSunday(2026).toISODate(), '2026-04-05')
    const cal = emiliaRomagnaCalendar(2026)
    assert.equal(cal.startsOn, '2026-09-15')
    assert.deepInclude(cal.holidays, { from: '2027-03-25', to: '2027-03-30', reason: 'Vacanze di Pasqua' })
    assert.deepInclude(cal.holidays, { from: '2026-12-24', to: '2027-01-06', reason: 'Vacanze di Natale' })
    // 15 September 2029 is a Saturday: lessons start on the Monday after.
    assert.equal(emiliaRomagnaCalendar(2029).startsOn, '2029-09-17')

    setClock('2026-11-30T08:00')
    const { tenant } = await canteenTenant()
    await kit.as(tenant, 'refezione', seedDemoCalendar)
    await kit.as(tenant, 'refezione', seedDemoCalendar)
    await kit.as(tenant, 'refezione', async (ctx) => {
      const years = await SchoolYear.query()
      assert.deepEqual(
        years.map((y) => [y.code, y.demo]),
        [['2026/2027', true]]
      )
      const closures = await Closure.query()
      assert.isTrue(closures.every((c) => c.demo))
      // 7 regional holidays, and the end of lessons for the one primaria.
      assert.lengthOf(closures, 8)
      const christmas = await calendarOn('2026-12-28', ctx)
      assert.equal(christmas.served('alberoni', '1', 'A').reason, 'holiday')
      const june = await calendarOn('2027-06-15', ctx)
      assert.isFalse(june.served('alberoni', '1', 'A').served)
      assert.isTrue(june.served('besurica', null, 'A').served)
    })
  })
})
