import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import BillingRun from '#models/billing_run'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { ensureSchoolCatalog } from '#services/tenants/school_catalog_service'
import { pluginService } from '#services/tenants/plugin_service'
import { demoBillingPeriods, seedDemoBilling } from '#services/content/demo_billing'
import { pluginTestKit } from '#sdk/testing'
import { billingWorld, makeParent } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'

test.group('Demo: a billed canteen month, one paid and one to pay', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('the seed bills the two months before this one; the older is paid on the simulator and reconciled', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const { tenant } = world
    await pluginService.enable(tenant, 'refezione')
    await RequestContext.withTenant(tenant.ref, () =>
      ensureSchoolCatalog([
        {
          code: 'alberoni',
          name: 'Alberoni',
          order: 'primaria',
          services: ['refezione'],
          classes: [{ year: '1', section: 'A' }],
        },
      ])
    )
    const operator = await makeUser(tenant, ['operator'])
    const now = DateTime.now().setZone('Europe/Rome')
    const start = now.minus({ months: 3 }).startOf('month')
    const code = `${start.year}/${start.year + 1}`
    ;(
      await client
        .put(`/api/v1/t/${tenant.slug}/refezione/calendar/years`)
        .json({ code, starts_on: start.toISODate(), ends_on: now.plus({ months: 6 }).toISODate() })
        .loginAs(operator)
    ).assertStatus(200)
    const parent = await makeParent(tenant, 'RSSMRA85T10A562S')
    await pluginTestKit.enrolment(tenant, 'refezione', {
      schoolYear: code,
      applicantUserId: parent.id,
      child: { firstName: 'Giulia', lastName: 'Rossi' },
      schoolId: 'alberoni',
      section: 'A',
      details: { school_order: 'primaria', class_year: '1' },
      tariff: {
        evaluation: {
          ruleset: 'refezione.tariffa',
          version: 1,
          at: start.toISODate()!,
          result: { amount: '3.43' },
          trace: [],
        },
        facts: {},
      },
    })

    await seedDemoBilling(tenant)
    await seedDemoBilling(tenant)
    await jobQueue().drained()
    const [older, newer] = demoBillingPeriods()
    await RequestContext.withTenant(tenant.ref, async () => {
      assert.lengthOf(await BillingRun.query(), 2)
      const positions = await PaymentPosition.query().orderBy('period')
      assert.deepEqual(
        positions.map((p) => [p.period, p.status]),
        [
          [older, 'paid'],
          [newer, 'published'],
        ]
      )
      assert.equal(positions[0].paidCents, positions[0].amountCents)
    })
  })
})
