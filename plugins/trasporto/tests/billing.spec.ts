import { test } from '@japa/runner'
import { pluginTestKit as kit } from '@sportello/platform/sdk/testing'
import plugin from '../index.js'

const fee = (amount: string, at: string) => ({
  evaluation: { ruleset: 'trasporto.tariffa', version: 1, at, result: { amount }, trace: [] },
  facts: {},
})

test.group('Trasporto: the monthly charges of the passes', (group) => {
  group.each.setup(() => kit.isolate())

  test('a monthly pass is billed each school month from the month its fee was set, an annual one once', async ({
    assert,
  }) => {
    const tenant = await kit.tenant(['trasporto'])
    const parent = await kit.member(tenant, ['citizen'])
    const enrol = (plan: string, amount: string, at: string) =>
      kit.enrolment(tenant, 'trasporto', {
        schoolYear: '2026/2027',
        applicantUserId: parent.id,
        child: { firstName: 'Bimbo', lastName: 'Verdi' },
        details: { payment_plan: plan },
        tariff: fee(amount, at),
      })
    const monthly = await enrol('mensile', '32.00', '2026-06-10')
    const lateMonthly = await enrol('mensile', '32.00', '2026-11-20')
    const annual = await enrol('annuale', '250.00', '2026-06-10')
    const charges = (period: string) =>
      kit.as(tenant, 'trasporto', async (ctx) => {
        const result = await plugin.billing!.charges(period, ctx)
        return new Map(result.lines.map((l) => [l.enrolmentId, l]))
      })

    const september = await charges('2026-09')
    assert.deepInclude(september.get(monthly.id), { quantity: '1', unitCents: 3200 })
    assert.deepInclude(september.get(annual.id), { quantity: '1', unitCents: 25000 })
    assert.match(september.get(annual.id)!.description, /annuale 2026\/2027/)
    assert.isFalse(september.has(lateMonthly.id))

    // October bills the monthly pass again, the annual one no more; the late enrolment not yet.
    const october = await charges('2026-10')
    assert.isTrue(october.has(monthly.id))
    assert.isFalse(october.has(annual.id))
    assert.isFalse(october.has(lateMonthly.id))

    const december = await charges('2026-12')
    assert.isTrue(december.has(lateMonthly.id))
    assert.isFalse(december.has(annual.id))
    assert.equal((await charges('2027-07')).size, 0)
  })
})
