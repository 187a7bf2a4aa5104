import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { balanceOf } from '#services/billing/ledger_service'
import { applyReceipt, reconcileTenant } from '#services/billing/reconcile'
import { pagopaFor } from '#integrations/pagopa/pagopa_service'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'

/** A month billed for two parents (45.00 each), positions on the simulator and their notices sent. */
async function billedMonth() {
  const world = await billingWorld()
  const a = await world.enrol(null, '45.00')
  const b = await world.enrol(null, '45.00')
  await RequestContext.withTenant(world.tenant.ref, () =>
    startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
  )
  await jobQueue().drained()
  const positions = await RequestContext.withTenant(world.tenant.ref, () => PaymentPosition.query().orderBy('id'))
  return { world, a, b, positions }
}

test.group('Billing: reconciliation of pagoPA receipts', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('a tenant without pagoPA is told so at once (409), and no reconciliation is queued', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    const operator = await makeUser(tenant, ['operator'])
    const refused = await client
      .post(`/api/v1/t/${tenant.slug}/billing/reconcile`)
      .header('accept-language', 'en')
      .loginAs(operator)
    refused.assertStatus(409)
    const error = refused.body().errors[0]
    assert.equal(error.path, '/settings/pagopa')
    assert.include(error.message, 'has not configured pagoPA')
    const italian = await client.post(`/api/v1/t/${tenant.slug}/billing/reconcile`).loginAs(operator)
    assert.include(italian.body().errors[0].message, 'non ha ancora configurato pagoPA')
    const jobs = await db.from('jobs').where('name', 'platform.billing-reconcile').where('tenant_id', tenant.id)
    assert.lengthOf(jobs, 0)
  })

  test('a notice paid on pagoPA becomes a ledger payment once, its position paid and the balance zero', async ({
    client,
    assert,
    cleanup,
  }) => {
    const { world, a, b, positions } = await billedMonth()
    cleanup(() => world.close())
    const operator = await makeUser(world.tenant, ['operator'])
    assert.equal(
      await RequestContext.withTenant(
        world.tenant.ref,
        async () => (await balanceOf({ payerUserId: a.payer.id })).balanceCents
      ),
      4500
    )

    const paid = await fetch(`${world.gpd.url}/sim/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nav: positions[0].nav }),
    })
    assert.equal(paid.status, 200)

    const refused = await client.post(`/api/v1/t/${world.tenant.slug}/billing/reconcile`).loginAs(a.payer)
    refused.assertStatus(403)
    const asked = await client.post(`/api/v1/t/${world.tenant.slug}/billing/reconcile`).loginAs(operator)
    asked.assertStatus(202)
    await jobQueue().drained()

    await RequestContext.withTenant(world.tenant.ref, async () => {
      const [first, second] = await PaymentPosition.query().orderBy('id')
      assert.equal(first.status, 'paid')
      assert.equal(first.paidCents, 4500)
      assert.isNotNull(first.paidAt)
      assert.isNotNull(first.psp)
      assert.equal(second.status, 'published')
      assert.deepEqual(await balanceOf({ payerUserId: a.payer.id }), {
        balanceCents: 0,
        chargedCents: 4500,
        paidCents: 4500,
        adjustedCents: 0,
      })
      assert.equal((await balanceOf({ payerUserId: b.payer.id })).balanceCents, 4500)

      // Reading the receipts again posts nothing more.
      const again = await reconcileTenant(world.tenant)
      assert.equal(again.posted, 0)
      const payments = await db.from('ledger_entries').where('tenant_id', world.tenant.id).where('kind', 'payment')
      assert.lengthOf(payments, 1)
      const steps = await db.from('payment_position_steps').where('position_id', first.id).orderBy('id')
      assert.deepEqual(
        steps.map((s) => s.step),
        ['published', 'notified', 'paid']
      )
    })

    // The family sees it paid, the office sees it in the list filtered by status.
    const mine = await client.get(`/api/v1/t/${world.tenant.slug}/payments/positions`).loginAs(a.payer)
    mine.assertStatus(200)
    assert.equal(mine.body().positions[0].status, 'paid')
    assert.equal(mine.body().balance.balanceCents, 0)
    const list = await client.get(`/api/v1/t/${world.tenant.slug}/billing/positions?status=paid`).loginAs(operator)
    assert.deepEqual(
      list.body().positions.map((p: { id: number }) => p.id),
      [positions[0].id]
    )
  })

  test('partial and over-payments: what arrived is recorded; short leaves it open, over leaves a credit', async ({
    assert,
    cleanup,
  }) => {
    const { world, a, b, positions } = await billedMonth()
    cleanup(() => world.close())
    // A real receipt of the simulator, its amount changed as a payment outside the notice would give.
    await fetch(`${world.gpd.url}/sim/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nav: positions[0].nav }),
    })
    const receipt = (await pagopaFor(world.tenant).gateway.getReceipt(positions[0].iuv))!
    await RequestContext.withTenant(world.tenant.ref, async () => {
      assert.isTrue(await applyReceipt(positions[0], { ...receipt, receiptId: 'short-1', amount: 2000 }))
      let position = await PaymentPosition.findOrFail(positions[0].id)
      assert.equal(position.status, 'partially_paid')
      assert.equal((await balanceOf({ payerUserId: a.payer.id })).balanceCents, 2500)
      assert.isTrue(await applyReceipt(position, { ...receipt, receiptId: 'short-2', amount: 2500 }))
      assert.isFalse(await applyReceipt(position, { ...receipt, receiptId: 'short-2', amount: 2500 }))
      position = await PaymentPosition.findOrFail(positions[0].id)
      assert.equal(position.status, 'paid')
      assert.equal((await balanceOf({ payerUserId: a.payer.id })).balanceCents, 0)

      const other = { ...receipt, iuv: positions[1].iuv, receiptId: 'over-1', amount: 5000 }
      assert.isTrue(await applyReceipt(positions[1], other))
      const over = await PaymentPosition.findOrFail(positions[1].id)
      assert.equal(over.status, 'paid')
      assert.equal((await balanceOf({ payerUserId: b.payer.id })).balanceCents, -500)
      const step = await db.from('payment_position_steps').where('position_id', over.id).where('step', 'paid').first()
      assert.equal(JSON.parse(step.details).overpaid_cents, 500)
    })
  })
})
