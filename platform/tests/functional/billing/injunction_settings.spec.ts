import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { scheduleArrears } from '#services/billing/arrears'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'

/**
 * The injunction's thresholds are the tenant's (seed 000, arrears b and d): days after the letter,
 * the least amount, the days to pay, the days before coercive collection. Set through the settings
 * API the back office uses, checked there, followed by the office's endpoints when it names no days.
 */
test.group('Billing: the injunction thresholds set by the tenant', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('days after the letter, least amount and days to pay follow the settings; bad values are refused', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await billingWorld({ billing: { reminderAfterDays: 10, letterAfterDays: 20, dueDays: 30 } })
    cleanup(() => world.close())
    const small = await world.enrol(null, '12.00')
    const big = await world.enrol(null, '45.00')
    await RequestContext.withTenant(world.tenant.ref, () =>
      startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
    )
    await jobQueue().drained()
    const [first] = await RequestContext.withTenant(world.tenant.ref, () => PaymentPosition.query().orderBy('id'))
    const due = DateTime.fromISO(first.dueDate)
    await RequestContext.withTenant(world.tenant.ref, async () => {
      await scheduleArrears(world.tenant, due.plus({ days: 11 }))
      await jobQueue().drained()
      await scheduleArrears(world.tenant, due.plus({ days: 31 }))
    })
    await jobQueue().drained()
    const admin = await makeUser(world.tenant, ['tenant_admin'])
    const operator = await makeUser(world.tenant, ['operator'])
    const patch = (billing: Record<string, unknown>) =>
      client.patch(`/api/v1/t/${world.tenant.slug}`).json({ settings: { billing } }).loginAs(admin)
    const base = `/api/v1/t/${world.tenant.slug}/billing`

    // The letters went today: with the default 30 days nobody is due yet.
    const before = await client.get(`${base}/injunctions/candidates`).loginAs(operator)
    before.assertStatus(200)
    assert.equal(before.body().after_days, 30)
    assert.lengthOf(before.body().candidates, 0)

    // Refused, each at its field: out of range, not a whole number.
    for (const [field, value] of [
      ['injunctionAfterDays', -1],
      ['injunctionPayDays', 0],
      ['recordAfterDays', 4000],
      ['injunctionMinCents', 12.5],
    ] as const) {
      const refused = await patch({ [field]: value })
      refused.assertStatus(422)
      assert.equal(refused.body().errors[0].path, `/settings/billing/${field}`, `${field} = ${value} refused`)
    }

    // No days after the letter, 20 euro at least, 45 days to pay, 0 days before the record.
    ;(
      await patch({ injunctionAfterDays: 0, injunctionMinCents: 2000, injunctionPayDays: 45, recordAfterDays: 0 })
    ).assertStatus(200)
    const after = await client.get(`${base}/injunctions/candidates`).loginAs(operator)
    assert.equal(after.body().after_days, 0)
    assert.deepEqual(
      after.body().candidates.map((c: { payer_user_id: number }) => c.payer_user_id),
      [big.payer.id],
      'the payer owing 12 euro is under the least amount'
    )
    const issued = await client.post(`${base}/injunctions`).json({}).loginAs(operator)
    issued.assertStatus(201)
    assert.equal(issued.body().issued, 1)
    const today = DateTime.now().setZone('Europe/Rome')
    assert.equal(issued.body().injunctions[0].due_date, today.plus({ days: 45 }).toISODate())
    assert.equal(issued.body().injunctions[0].position.due_date, today.plus({ days: 45 }).toISODate())
    await jobQueue().drained()
    // The record follows recordAfterDays (0): the injunction protocolled today goes at once.
    const record = await client.post(`${base}/collection-records`).json({}).loginAs(operator)
    record.assertStatus(201)
    assert.equal(record.body().record.injunctions, 1)
    assert.equal(record.body().record.total_cents, 4500)
    assert.notEqual(small.payer.id, big.payer.id)
  })
})
