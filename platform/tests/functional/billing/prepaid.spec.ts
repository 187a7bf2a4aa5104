import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { postEntry } from '#services/billing/ledger_service'
import { debitDay, prepaidBalance, prepaidFaults } from '#services/billing/prepaid'
import { reconcileTenant } from '#services/billing/reconcile'
import { parseBillingSettings } from '#services/billing/billing_settings'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'
import type { RetteRecord } from '../../fixtures/sample_plugins/rette/index.js'

const rette = () => (globalThis as { __rette?: RetteRecord }).__rette!
const PREPAID = { prepaid: ['rette'], lowBalanceCents: 1000, topUpMinCents: 500, topUpMaxCents: 20000 }

async function ledgerRows(tenantId: number, kind: string) {
  return db.from('ledger_entries').where('tenant_id', tenantId).where('kind', kind).orderBy('id')
}

test.group('Billing: pre-paid accounts', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.setup(() => () => {
    rette().meals = {}
    prepaidFaults.beforeDebitCommit = undefined
  })
  const mail = captureMailEachTest(group)

  test('settings: a service is pre-paid or billed monthly, never both', ({ assert }) => {
    assert.deepEqual(parseBillingSettings({ prepaid: ['rette'] }).prepaid, ['rette'])
    assert.throws(() => parseBillingSettings({ prepaid: ['rette'], services: ['rette'] }), /prepaid/)
    assert.throws(() => parseBillingSettings({ topUpMinCents: 5000, topUpMaxCents: 1000 }), /topUpMinCents/)
  })

  test('a top-up paid on pagoPA credits the account; each day’s meals debit it; under the threshold the family is alerted once', async ({
    client,
    assert,
    cleanup,
  }) => {
    const world = await billingWorld({ billing: PREPAID })
    cleanup(() => world.close())
    const { payer, enrolment } = await world.enrol(null, '4.50')
    const operator = await makeUser(world.tenant, ['operator'])
    const base = `/api/v1/t/${world.tenant.slug}`

    // The monthly run does not bill a pre-paid service.
    const run = await client
      .post(`${base}/billing/runs`)
      .json({ service: 'rette', period: '2026-10' })
      .loginAs(operator)
    run.assertStatus(422)
    assert.equal(run.body().errors[0].rule, 'prepaid')

    const tooSmall = await client
      .post(`${base}/payments/topups`)
      .json({ service: 'rette', amount_cents: 100 })
      .loginAs(payer)
    tooSmall.assertStatus(422)
    assert.equal(tooSmall.body().errors[0].path, '/amount_cents')
    const floatAmount = await client
      .post(`${base}/payments/topups`)
      .json({ service: 'rette', amount_cents: 20.5 })
      .loginAs(payer)
    floatAmount.assertStatus(422)
    const notPrepaid = await client
      .post(`${base}/payments/topups`)
      .json({ service: 'trasporto', amount_cents: 2000 })
      .loginAs(payer)
    notPrepaid.assertStatus(422)
    assert.equal(notPrepaid.body().errors[0].rule, 'prepaid')

    const topUp = await client
      .post(`${base}/payments/topups`)
      .json({ service: 'rette', amount_cents: 2000 })
      .loginAs(payer)
    topUp.assertStatus(201)
    assert.equal(topUp.body().balance_cents, 0)
    await jobQueue().drained()
    const position = await RequestContext.withTenant(world.tenant.ref, () =>
      PaymentPosition.query().where('id', topUp.body().position.id).firstOrFail()
    )
    assert.equal(position.status, 'published')
    assert.equal(position.amountCents, 2000)
    assert.isNull(position.runId)
    assert.equal(world.gpd.store.findByNav(position.nav)[0]?.view.paymentOption[0].amount, 2000)
    assert.lengthOf(mail().received, 1)

    const paid = await fetch(`${world.gpd.url}/sim/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nav: position.nav }),
    })
    assert.equal(paid.status, 200)
    await RequestContext.withTenant(world.tenant.ref, () => reconcileTenant(world.tenant))
    assert.equal(await prepaidBalance(world.tenant.id, payer.id, 'rette'), -2000)

    // 4.50 a meal: 20.00 → 15.50 → 11.00 (still above 10.00) → 6.50 (under: one alert).
    const days = ['2026-11-02', '2026-11-03', '2026-11-04']
    for (const day of days) rette().meals[day] = [{ enrolmentId: enrolment.id, unitCents: 450 }]
    const outcomes = []
    for (const day of days) {
      outcomes.push(await RequestContext.withTenant(world.tenant.ref, () => debitDay(world.tenant, 'rette', day)))
    }
    assert.deepEqual(
      outcomes.map((o) => [o.debited, o.alerted]),
      [
        [1, 0],
        [1, 0],
        [1, 1],
      ]
    )
    // The same day again: nothing more, no second alert.
    const again = await RequestContext.withTenant(world.tenant.ref, () => debitDay(world.tenant, 'rette', days[2]))
    assert.deepEqual([again.debited, again.alerted], [0, 0])
    assert.equal(await prepaidBalance(world.tenant.id, payer.id, 'rette'), -650)
    await jobQueue().drained()
    const alerts = mail().received.filter((m) => m.subject?.startsWith('Credito in esaurimento'))
    assert.lengthOf(alerts, 1)
    assert.include(alerts[0].text!, 'Credito residuo: 6,50 euro')

    // Meals are never refused: the account goes below zero and the family owes it.
    rette().meals['2026-11-05'] = [{ enrolmentId: enrolment.id, unitCents: 450 }]
    await RequestContext.withTenant(world.tenant.ref, () => debitDay(world.tenant, 'rette', '2026-11-05'))
    assert.equal(await prepaidBalance(world.tenant.id, payer.id, 'rette'), -200)
    rette().meals['2026-11-06'] = [{ enrolmentId: enrolment.id, unitCents: 450 }]
    await RequestContext.withTenant(world.tenant.ref, () => debitDay(world.tenant, 'rette', '2026-11-06'))
    assert.equal(await prepaidBalance(world.tenant.id, payer.id, 'rette'), 250)
  })

  test('a debit stopped before its commit leaves nothing; run again, each meal is debited and the alert written once', async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld({ billing: { ...PREPAID, lowBalanceCents: 100 } })
    cleanup(() => world.close())
    const a = await world.enrol(null, '4.50')
    const b = await world.enrol(null, '4.50')
    // a has 5.00 of credit (a payment already reconciled); b has none.
    await RequestContext.withTenant(world.tenant.ref, () =>
      db.transaction((trx) =>
        postEntry(trx, {
          key: 'test:credit:a',
          kind: 'payment',
          payerUserId: a.payer.id,
          service: 'rette',
          amountCents: -500,
          description: 'Ricarica',
        })
      )
    )
    rette().meals['2026-11-02'] = [
      { enrolmentId: a.enrolment.id, unitCents: 450 },
      { enrolmentId: b.enrolment.id, unitCents: 500 },
    ]
    prepaidFaults.beforeDebitCommit = () => {
      throw new Error('killed')
    }
    await assert.rejects(
      () => RequestContext.withTenant(world.tenant.ref, () => debitDay(world.tenant, 'rette', '2026-11-02')),
      /killed/
    )
    assert.lengthOf(await ledgerRows(world.tenant.id, 'charge'), 0)
    assert.lengthOf(await db.from('jobs').where('name', 'platform.prepaid-alert'), 0)

    prepaidFaults.beforeDebitCommit = undefined
    for (let i = 0; i < 2; i++) {
      await RequestContext.withTenant(world.tenant.ref, () => debitDay(world.tenant, 'rette', '2026-11-02'))
    }
    const charges = await ledgerRows(world.tenant.id, 'charge')
    assert.deepEqual(
      charges.map((c) => Number(c.amount_cents)),
      [450, 500]
    )
    // a crossed under 1.00 (5.00 → 0.50): one alert; b had no credit to fall from, and simply owes 5.00.
    const alerts = await db.from('jobs').where('name', 'platform.prepaid-alert')
    assert.lengthOf(alerts, 1)
    assert.equal(JSON.parse(alerts[0].payload).payerUserId, a.payer.id)
    assert.equal(await prepaidBalance(world.tenant.id, a.payer.id, 'rette'), -50)
    assert.equal(await prepaidBalance(world.tenant.id, b.payer.id, 'rette'), 500)
    await jobQueue().drained()
  })
})
