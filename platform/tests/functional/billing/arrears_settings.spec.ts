import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import PaymentPosition from '#models/payment_position'
import Tenant from '#models/tenant'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { periodStart, scheduleArrears } from '#services/billing/arrears'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'

/**
 * The arrears period of a tenant (Allegato A, "In caso di mancato pagamento"; seed 000, arrears a):
 * when reminders start, from what day they count, how often letters go. Set by the tenant's
 * administrator through the settings API the back office uses; the daily job follows what is set.
 */
test.group('Billing: the arrears period set by the tenant', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  async function billedWorld(client: import('@japa/api-client').ApiClient, billing: Record<string, unknown>) {
    const world = await billingWorld({ billing })
    await world.enrol(null, '45.00')
    await world.enrol(null, '30.00')
    await RequestContext.withTenant(world.tenant.ref, () =>
      startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
    )
    await jobQueue().drained()
    const [first, second] = await RequestContext.withTenant(world.tenant.ref, () =>
      PaymentPosition.query().orderBy('id')
    )
    const admin = await makeUser(world.tenant, ['tenant_admin'])
    const patch = (settings: Record<string, unknown>) =>
      client
        .patch(`/api/v1/t/${world.tenant.slug}`)
        .json({ settings: { billing: settings } })
        .loginAs(admin)
    const arrears = async (at: DateTime) => {
      const tenant = await Tenant.findOrFail(world.tenant.id)
      return RequestContext.withTenant(world.tenant.ref, () => scheduleArrears(tenant, at))
    }
    return { world, first, second, patch, arrears }
  }

  test('fewer days before the reminder: a position not yet reminded is reminded on the same day', async ({
    assert,
    client,
    cleanup,
  }) => {
    const { world, first, second, patch, arrears } = await billedWorld(client, { reminderAfterDays: 15, dueDays: 30 })
    cleanup(() => world.close())
    // The second position fell due a week before the first.
    await RequestContext.withTenant(world.tenant.ref, async () => {
      second.dueDate = DateTime.fromISO(first.dueDate).minus({ days: 7 }).toISODate()!
      await second.save()
    })
    const day = DateTime.fromISO(first.dueDate, { zone: 'Europe/Rome' }).plus({ days: 10, hours: 9 })
    // 15 days after the due date: on the first's 10th day only the second (17 days late) is reminded.
    assert.deepEqual(await arrears(day), { reminders: 1, letters: 0 })
    ;(await patch({ reminderAfterDays: 5 })).assertStatus(200)
    // 5 days: the same day, the first is reminded too.
    assert.deepEqual(await arrears(day), { reminders: 1, letters: 0 })
    await jobQueue().drained()
    const steps = await RequestContext.withTenant(world.tenant.ref, () =>
      PaymentPosition.query()
        .whereExists((q) =>
          q
            .from('payment_position_steps')
            .whereColumn('payment_position_steps.position_id', 'payment_positions.id')
            .where('step', 'reminder')
        )
        .orderBy('id')
    )
    assert.deepEqual(
      steps.map((p) => p.id),
      [first.id, second.id]
    )
  })

  test('counted from the day the position was loaded, reminders come before the due date', async ({
    assert,
    client,
    cleanup,
  }) => {
    const { world, patch, arrears } = await billedWorld(client, { reminderAfterDays: 10, dueDays: 30 })
    cleanup(() => world.close())
    const in11days = DateTime.now().setZone('Europe/Rome').plus({ days: 11 })
    assert.deepEqual(await arrears(in11days), { reminders: 0, letters: 0 })
    ;(await patch({ reminderFrom: 'loaded' })).assertStatus(200)
    assert.deepEqual(await arrears(DateTime.now().setZone('Europe/Rome').plus({ days: 10 })), {
      reminders: 0,
      letters: 0,
    })
    assert.deepEqual(await arrears(in11days), { reminders: 2, letters: 0 })
    await jobQueue().drained()
  })

  test('with a quarterly period the letters wait for the first day of the next quarter', async ({
    assert,
    client,
    cleanup,
  }) => {
    const { world, first, patch, arrears } = await billedWorld(client, {
      reminderAfterDays: 10,
      letterAfterDays: 20,
      dueDays: 30,
    })
    cleanup(() => world.close())
    ;(await patch({ letterPeriod: 'quarterly' })).assertStatus(200)
    const due = DateTime.fromISO(first.dueDate, { zone: 'Europe/Rome' })
    assert.deepEqual(await arrears(due.plus({ days: 11 })), { reminders: 2, letters: 0 })
    // Past the letter day (due + 30), but the quarter has not turned yet.
    const letterDay = due.plus({ days: 31 })
    const nextQuarter = periodStart(letterDay, 3).plus({ months: 3 })
    if (nextQuarter.diff(letterDay, 'days').days >= 1) {
      assert.deepEqual(await arrears(nextQuarter.minus({ days: 1 }).plus({ hours: 9 })), { reminders: 0, letters: 0 })
    }
    assert.deepEqual(await arrears(nextQuarter.plus({ hours: 9 })), { reminders: 0, letters: 2 })
    await jobQueue().drained()

    // The same positions every day: without a period the letter would have gone on its own day.
    assert.equal(periodStart(DateTime.fromISO('2027-02-14'), 3).toISODate(), '2027-01-01')
    assert.equal(periodStart(DateTime.fromISO('2027-05-31'), 4).toISODate(), '2027-05-01')
    assert.equal(periodStart(DateTime.fromISO('2027-12-31'), 6).toISODate(), '2027-07-01')
    assert.equal(periodStart(DateTime.fromISO('2027-12-31'), 1).toISODate(), '2027-12-01')
  })

  test('a wrong arrears setting is refused at its field', async ({ assert, client, cleanup }) => {
    const { world, patch } = await billedWorld(client, {})
    cleanup(() => world.close())
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ reminderFrom: 'yesterday' }, '/settings/billing/reminderFrom'],
      [{ letterPeriod: 'weekly' }, '/settings/billing/letterPeriod'],
      [{ reminderAfterDays: -1 }, '/settings/billing/reminderAfterDays'],
      [{ letterAfterDays: 'trenta' }, '/settings/billing/letterAfterDays'],
      [{ debtBlocksEnrolment: 'sì' }, '/settings/billing/debtBlocksEnrolment'],
    ]
    for (const [settings, path] of cases) {
      const answer = await patch(settings)
      answer.assertStatus(422)
      assert.equal(answer.body().errors[0].path, path, JSON.stringify(settings))
    }
  })
})
