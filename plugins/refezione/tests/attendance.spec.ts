import { test } from '@japa/runner'
import { kit, canteenTenant, child, resetClock, schoolYear, setClock } from './world.js'
import Assignment from '../models/assignment.js'
import Mark from '../models/mark.js'

test.group('Refezione: attendance marks from the school', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  async function world() {
    const { tenant, operator } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    const staff = await kit.member(tenant, ['school_staff'])
    await kit.as(tenant, 'refezione', () => Assignment.create({ userId: staff.id, scope: 'school', code: 'alberoni' }))
    const anna = await child(tenant, parent.id, { diet: 'vegetarian' })
    const bruno = await child(tenant, parent.id)
    const carla = await child(tenant, parent.id)
    const other = await child(tenant, parent.id, { classYear: '2', section: 'B' })
    const api = `/api/v1/t/${tenant.slug}/refezione`
    return { tenant, operator, parent, staff, anna, bruno, carla, other, api }
  }

  const mark = (id: string, enrolmentId: number, extra: Record<string, unknown> = {}) => ({
    id,
    day: '2026-12-01',
    school_code: 'alberoni',
    class_year: '1',
    section: 'A',
    enrolment_id: enrolmentId,
    marked_at: '2026-12-01T09:05:00+01:00',
    ...extra,
  })

  test("a class's children are present by default with the families' requests applied and their diets shown", async ({
    client,
    assert,
  }) => {
    const { parent, staff, anna, bruno, carla, api } = await world()
    setClock('2026-12-01T08:00')
    await client.put(`${api}/my/children/${bruno.id}/days/2026-12-01`).json({ kind: 'cancel' }).loginAs(parent)
    await client.put(`${api}/my/children/${carla.id}/days/2026-12-01`).json({ kind: 'plain' }).loginAs(parent)
    const view = await client
      .get(`${api}/attendance/2026-12-01/class`)
      .qs({ school_code: 'alberoni', class_year: '1', section: 'A' })
      .loginAs(staff)
    view.assertStatus(200)
    const byId = new Map(view.body().children.map((c: any) => [c.enrolment_id, c]))
    assert.deepInclude(byId.get(anna.id), { eats: true, plain: false, diet: 'vegetarian', decided_by: 'default' })
    assert.deepInclude(byId.get(bruno.id), { eats: false, family_request: 'cancel', decided_by: 'family' })
    assert.deepInclude(byId.get(carla.id), { eats: true, plain: true, family_request: 'plain' })
    assert.include(view.body(), { enrolled: 3, meals: 2, plain: 1, absent: 1, closed: false })
    assert.isString(view.body().rule)
  })

  test('marks sent twice count once; a mark after the cut-off is kept and flagged', async ({ client, assert }) => {
    const { staff, anna, bruno, carla, api, tenant } = await world()
    setClock('2026-12-01T09:10')
    const batch = {
      marks: [
        mark('tab7-0001-aaaa', anna.id, { status: 'absent' }),
        mark('tab7-0002-aaaa', bruno.id, { plain: true, late_entry: true }),
      ],
    }
    const first = await client.post(`${api}/attendance/marks`).json(batch).loginAs(staff)
    first.assertStatus(200)
    assert.deepEqual(
      first.body().results.map((r: any) => [r.result, r.after_cutoff]),
      [
        ['accepted', false],
        ['accepted', false],
      ]
    )
    const again = await client.post(`${api}/attendance/marks`).json(batch).loginAs(staff)
    assert.deepEqual(
      again.body().results.map((r: any) => r.result),
      ['duplicate', 'duplicate']
    )
    assert.equal(await kit.as(tenant, 'refezione', async () => (await Mark.query()).length), 2)

    setClock('2026-12-01T09:45')
    const late = await client
      .post(`${api}/attendance/marks`)
      .json({ marks: [mark('tab7-0003-aaaa', carla.id, { status: 'absent', marked_at: '2026-12-01T09:40:00+01:00' })] })
      .loginAs(staff)
    assert.deepEqual(late.body().results[0], { id: 'tab7-0003-aaaa', result: 'accepted', after_cutoff: true })
    const view = await client
      .get(`${api}/attendance/2026-12-01/class`)
      .qs({ school_code: 'alberoni', class_year: '1', section: 'A' })
      .loginAs(staff)
    const byId = new Map(view.body().children.map((c: any) => [c.enrolment_id, c]))
    assert.deepInclude(byId.get(anna.id), { eats: false, decided_by: 'tablet' })
    assert.deepInclude(byId.get(bruno.id), { eats: true, plain: true, late_entry: true })
    assert.deepInclude(byId.get(carla.id), { eats: false, after_cutoff: true })
  })

  test("the school's mark wins over the family's cancellation, in the order the devices made them", async ({
    client,
    assert,
  }) => {
    const { parent, staff, anna, api } = await world()
    setClock('2026-12-01T08:00')
    await client.put(`${api}/my/children/${anna.id}/days/2026-12-01`).json({ kind: 'cancel' }).loginAs(parent)
    // Sent in the wrong order (the second made earlier): the device's times decide.
    await client
      .post(`${api}/attendance/marks`)
      .json({
        marks: [
          mark('tab1-later-0001', anna.id, { status: 'present', marked_at: '2026-12-01T09:20:00+01:00' }),
          mark('tab1-early-0001', anna.id, { status: 'absent', marked_at: '2026-12-01T09:00:00+01:00' }),
        ],
      })
      .loginAs(staff)
    const view = await client
      .get(`${api}/attendance/2026-12-01/class`)
      .qs({ school_code: 'alberoni', class_year: '1', section: 'A' })
      .loginAs(staff)
    assert.deepInclude(
      view.body().children.find((c: any) => c.enrolment_id === anna.id),
      {
        family_request: 'cancel',
        eats: true,
        decided_by: 'tablet',
      }
    )
  })

  test('school staff mark only their schools and their classes; paper mode is the back office’s, with its source', async ({
    client,
    assert,
  }) => {
    const { staff, operator, anna, other, api, tenant } = await world()
    setClock('2026-12-01T09:00')
    const foreign = await client
      .get(`${api}/attendance/2026-12-01/classes`)
      .qs({ school_code: 'besurica' })
      .loginAs(staff)
    foreign.assertStatus(403)
    assert.equal(foreign.body().errors[0].rule, 'assignment')
    const wrong = await client
      .post(`${api}/attendance/marks`)
      .json({
        marks: [
          mark('tab1-wrongclass', other.id, { status: 'absent' }),
          mark('tab1-otherschl', anna.id, { school_code: 'besurica', status: 'absent' }),
          mark('tab1-tomorrow1', anna.id, { day: '2026-12-02', status: 'absent' }),
        ],
      })
      .loginAs(staff)
    assert.deepEqual(
      wrong.body().results.map((r: any) => r.result),
      ['rejected', 'rejected', 'rejected']
    )
    const paperByStaff = await client
      .post(`${api}/attendance/marks`)
      .json({ source: 'paper', marks: [mark('paper-00000001', anna.id, { status: 'absent' })] })
      .loginAs(staff)
    paperByStaff.assertStatus(403)
    const paper = await client
      .post(`${api}/attendance/marks`)
      .json({ source: 'paper', marks: [mark('paper-00000001', anna.id, { status: 'absent', day: '2026-11-30' })] })
      .loginAs(operator)
    assert.deepEqual(paper.body().results[0], { id: 'paper-00000001', result: 'accepted', after_cutoff: true })
    const stored = await kit.as(tenant, 'refezione', () =>
      Mark.query().where('device_mark_id', 'paper-00000001').firstOrFail()
    )
    assert.equal(stored.source, 'paper')
    assert.equal(stored.recordedBy, operator.id)
  })

  test("adults by slot, teachers apart; closing a class, once; the school's open classes at a glance", async ({
    client,
    assert,
  }) => {
    const { staff, api } = await world()
    setClock('2026-12-01T09:00')
    const entry = (id: string, slot: string, kind: string, count: number, at: string) => ({
      id,
      day: '2026-12-01',
      school_code: 'alberoni',
      slot,
      kind,
      count,
      marked_at: `2026-12-01T${at}:00+01:00`,
    })
    const entries = [
      entry('adult-000001', '12:00', 'teacher', 3, '09:00'),
      entry('adult-000002', '12:00', 'other', 1, '09:01'),
      entry('adult-000003', '13:00', 'teacher', 2, '09:02'),
    ]
    await client.post(`${api}/attendance/adults`).json({ entries }).loginAs(staff)
    const resend = await client.post(`${api}/attendance/adults`).json({ entries }).loginAs(staff)
    assert.deepEqual(
      resend.body().results.map((r: any) => r.result),
      ['duplicate', 'duplicate', 'duplicate']
    )
    await client
      .post(`${api}/attendance/adults`)
      .json({ entries: [entry('adult-000004', '12:00', 'teacher', 4, '09:05')] })
      .loginAs(staff)

    const close = { day: '2026-12-01', school_code: 'alberoni', class_year: '1', section: 'A' }
    ;(await client.post(`${api}/attendance/close`).json(close).loginAs(staff)).assertStatus(200)
    const twice = await client.post(`${api}/attendance/close`).json(close).loginAs(staff)
    assert.deepInclude(twice.body().closed, { after_cutoff: false, source: 'tablet' })

    const day = await client.get(`${api}/attendance/2026-12-01/classes`).qs({ school_code: 'alberoni' }).loginAs(staff)
    day.assertStatus(200)
    assert.deepEqual(
      day.body().classes.map((c: any) => [c.class_year, c.section, c.closed, c.enrolled]),
      [
        ['1', 'A', true, 3],
        ['2', 'B', false, 1],
      ]
    )
    assert.equal(day.body().open_classes, 1)
    assert.deepEqual(day.body().adults, [
      { slot: '12:00', kind: 'other', count: 1 },
      { slot: '12:00', kind: 'teacher', count: 4 },
      { slot: '13:00', kind: 'teacher', count: 2 },
    ])
  })
  test("the tablet takes the day and the cut-off from the server's clock, with the user's places", async ({
    client,
    assert,
  }) => {
    const { tenant, staff, operator, api } = await world()
    await kit.settings(tenant, 'refezione', { cutoff_time: '10:00' })
    setClock('2026-12-01T23:30')
    const mine = await client.get(`${api}/my/places`).loginAs(staff)
    mine.assertStatus(200)
    assert.deepEqual(mine.body(), {
      today: '2026-12-01',
      cutoff_time: '10:00',
      all_schools: false,
      schools: ['alberoni'],
      kitchens: [],
    })
    const office = await client.get(`${api}/my/places`).loginAs(operator)
    assert.include(office.body(), { today: '2026-12-01', all_schools: true })
  })
})
