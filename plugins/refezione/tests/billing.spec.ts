import { test } from '@japa/runner'
import { lineAmount } from '@sportello/platform/sdk'
import plugin from '../index.js'
import { detailsOf } from '../enrolment.js'
import ClassDay from '../models/class_day.js'
import Closure from '../models/closure.js'
import Mark from '../models/mark.js'
import MealRequest from '../models/meal_request.js'
import { kit, canteenTenant, resetClock, schoolYear, setClock } from './world.js'

/** A per-meal fee as the rules engine gives it (refezione.tariffa's `amount`). */
const fee = (amount: string | null) =>
  amount === null
    ? undefined
    : {
        evaluation: { ruleset: 'refezione.tariffa', version: 1, at: '2026-09-01', result: { amount }, trace: [] },
        facts: {},
      }

test.group('Refezione: the monthly charges from the meals consumed', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  async function world() {
    const { tenant } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    let n = 0
    const enrol = (amount: string | null, section = 'A') =>
      kit.enrolment(tenant, 'refezione', {
        schoolYear: '2026/2027',
        applicantUserId: parent.id,
        child: { firstName: `Bimbo${++n}`, lastName: 'Rossi' },
        schoolId: 'alberoni',
        section,
        details: { school_order: 'primaria', class_year: section === 'A' ? '1' : '2' },
        tariff: fee(amount),
      })
    return { tenant, parent, enrol }
  }

  test('meals × the fee per meal: cancellations, closures and the school’s marks count, the days not yet past do not', async ({
    assert,
  }) => {
    const { tenant, parent, enrol } = await world()
    const anna = await enrol('5.00')
    const bruno = await enrol('5.00')
    const carla = await enrol('2.30', 'B')
    const nofee = await enrol(null)
    await kit.as(tenant, 'refezione', async () => {
      // October 2026 has 22 weekdays; the 30th is a holiday of every school.
      await Closure.create({
        schoolYear: '2026/2027',
        kind: 'holiday',
        startsOn: '2026-10-30',
        endsOn: '2026-10-30',
        schoolCode: '',
        classYear: '',
        section: '',
        reason: 'Ponte',
        demo: false,
      })
      // Bruno's family cancelled two meals (one on the holiday, which changes nothing).
      for (const day of ['2026-10-06', '2026-10-30'])
        await MealRequest.create({ enrolmentId: bruno.id, day, kind: 'cancel', requestedBy: parent.id })
      // On the 7th class 1A was closed with Anna marked absent (Bruno, unmarked, ate as by default).
      await ClassDay.create({
        day: '2026-10-07',
        schoolCode: 'alberoni',
        classYear: '1',
        section: 'A',
        closedAt: '2026-10-07T13:00:00+02:00',
        closedBy: null,
        afterCutoff: false,
        source: 'tablet',
      })
      await Mark.create({
        deviceMarkId: 'm-1',
        day: '2026-10-07',
        schoolCode: 'alberoni',
        classYear: '1',
        section: 'A',
        enrolmentId: anna.id,
        status: 'absent',
        plain: null,
        lateEntry: null,
        earlyExit: null,
        markedAt: '2026-10-07T09:05:00+02:00',
        afterCutoff: false,
        source: 'tablet',
        recordedBy: null,
      })
    })

    setClock('2026-11-01T06:00')
    const result = await kit.as(tenant, 'refezione', (ctx) => Promise.resolve(plugin.billing!.charges('2026-10', ctx)))
    const byId = new Map(result.lines.map((l) => [l.enrolmentId, l]))
    assert.equal(byId.get(anna.id)?.quantity, '20')
    assert.equal(byId.get(anna.id)?.unitCents, 500)
    assert.equal(byId.get(bruno.id)?.quantity, '20')
    assert.equal(byId.get(carla.id)?.quantity, '21')
    assert.equal(byId.get(carla.id)?.unitCents, 230)
    assert.deepInclude(byId.get(anna.id)?.details, { meals: 20, estimated: 20, ruleset: 'refezione.tariffa' })
    assert.equal(byId.get(anna.id)?.key, 'meals')
    assert.match(byId.get(anna.id)!.description, /20 pasti/)
    assert.isFalse(byId.has(nofee.id))
    assert.isTrue(result.notes!.some((n) => n.enrolmentId === nofee.id))

    // The same facts give the same lines (a resumed run posts nothing twice).
    const again = await kit.as(tenant, 'refezione', (ctx) => Promise.resolve(plugin.billing!.charges('2026-10', ctx)))
    assert.deepEqual(again, result)

    // Half-way through the month only the days up to yesterday count; a month with no school days bills no one.
    setClock('2026-10-10T06:00')
    const partial = await kit.as(tenant, 'refezione', (ctx) => Promise.resolve(plugin.billing!.charges('2026-10', ctx)))
    assert.equal(new Map(partial.lines.map((l) => [l.enrolmentId, l])).get(carla.id)?.quantity, '7')
    setClock('2026-09-01T06:00')
    const summer = await kit.as(tenant, 'refezione', (ctx) => Promise.resolve(plugin.billing!.charges('2026-08', ctx)))
    assert.lengthOf(summer.lines, 0)
  })

  test('the form’s notice channel, mobile number and the payer’s residence are kept for billing', ({ assert }) => {
    const details = detailsOf({
      payment_channel: 'pagopa_post',
      payment_phone: '3471234567',
      payer: {
        residence: {
          street: 'Via Roma',
          house_number: '1',
          postal_code: '29121',
          municipality: 'Piacenza',
          province: 'PC',
        },
      },
    })
    assert.deepInclude(details, {
      notice_channel: 'post',
      notice_phone: '3471234567',
      notice_address: { lines: ['Via Roma 1'], postalCode: '29121', city: 'Piacenza', province: 'PC' },
    })
    assert.isUndefined(detailsOf({ payment_channel: 'direct_debit' }).notice_channel)
    assert.equal(detailsOf({ payment_channel: 'pagopa_sms' }).notice_channel, 'sms')
    assert.equal(detailsOf({ payment_channel: 'pagopa_io' }).notice_channel, 'io')
  })
})

test.group('Refezione: a fee that changes within the month', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  test('each meal costs the fee of the version in force on its day: two parts, both versions in the trace', async ({
    assert,
  }) => {
    const { tenant } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    // Priced at enrolment with version 2 (non-residents: flat 5.89 per meal).
    const priced = (amount: string, facts: Record<string, unknown>) => ({
      evaluation: { ruleset: 'refezione.tariffa', version: 2, at: '2026-09-01', result: { amount }, trace: [] },
      facts,
    })
    let n = 0
    const enrol = (tariff: ReturnType<typeof priced>) =>
      kit.enrolment(tenant, 'refezione', {
        schoolYear: '2026/2027',
        applicantUserId: parent.id,
        child: { firstName: `Bimba${++n}`, lastName: 'Verdi' },
        schoolId: 'alberoni',
        section: 'A',
        details: { school_order: 'primaria', class_year: '1' },
        tariff,
      })
    const outsider = await enrol(priced('5.89', { residence: 'other' }))
    const overridden = await enrol(priced('5.89', { residence: 'other' }))
    await kit.feeOverride(tenant, overridden.id, '4.00')

    const line = async () => {
      setClock('2026-11-01T06:00')
      const result = await kit.as(tenant, 'refezione', (ctx) =>
        Promise.resolve(plugin.billing!.charges('2026-10', ctx))
      )
      return { byId: new Map(result.lines.map((l) => [l.enrolmentId, l])), notes: result.notes ?? [] }
    }
    // Before the change: one version for the whole month, the line as the enrolment priced it.
    const before = await line()
    assert.equal(before.byId.get(outsider.id)?.quantity, '22')
    assert.equal(before.byId.get(outsider.id)?.unitCents, 589)
    assert.isUndefined(before.byId.get(outsider.id)?.details?.parts)

    // The comune raises the non-residents' fee from 15 October 2026 (a new version, version 3).
    const version = await kit.ruleSetVersion(tenant, 'refezione.tariffa', '2026-10-15', (body) => {
      body.parameters.tariffa_non_residenti.value = '6.10'
    })
    assert.equal(version, 3)

    const after = await line()
    const split = after.byId.get(outsider.id)!
    // October 2026: 10 weekdays from the 1st to the 14th, 12 from the 15th to the 31st.
    assert.equal(split.quantity, '22')
    assert.isUndefined(split.unitCents)
    assert.equal(split.amountCents, 10 * 589 + 12 * 610)
    assert.deepEqual(lineAmount(split), { amountCents: 13210, quantity: '22', unitCents: null })
    assert.deepEqual(split.details?.parts, [
      { from: '2026-10-01', to: '2026-10-14', version: 2, quantity: '10', unitCents: 589, amountCents: 5890 },
      { from: '2026-10-15', to: '2026-10-31', version: 3, quantity: '12', unitCents: 610, amountCents: 7320 },
    ])
    assert.deepEqual(split.details?.versions, [2, 3])
    const trace = split.details?.trace as Array<{ version: number; trace: unknown[] | null }>
    assert.deepEqual(
      trace.map((t) => t.version),
      [2, 3]
    )
    assert.isNotEmpty(trace[1].trace)
    assert.match(split.description, /10 × 5,89 € \(1\/10–14\/10\) \+ 12 × 6,10 € \(15\/10–31\/10\)/)
    // The fee the office set by hand is not re-priced.
    assert.equal(after.byId.get(overridden.id)?.unitCents, 400)
    assert.isUndefined(after.byId.get(overridden.id)?.details?.parts)
    // The same facts give the same lines.
    assert.deepEqual((await line()).byId.get(outsider.id), split)

    // November is wholly in version 3: one part, the new fee.
    setClock('2026-12-01T06:00')
    const november = await kit.as(tenant, 'refezione', (ctx) =>
      Promise.resolve(plugin.billing!.charges('2026-11', ctx))
    )
    const whole = november.lines.find((l) => l.enrolmentId === outsider.id)!
    assert.equal(whole.unitCents, 610)
    assert.equal(whole.details?.version, 3)
  })
})
