import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { balanceOf } from '#services/billing/ledger_service'
import { reconcileTenant } from '#services/billing/reconcile'
import { applyFlow, reconcileFlows } from '#services/billing/flow_reconcile'
import type { ReportingFlow } from '#integrations/pagopa/reporting_flow'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'

async function billedMonth() {
  const world = await billingWorld()
  const a = await world.enrol(null, '45.00')
  const b = await world.enrol(null, '30.00')
  await RequestContext.withTenant(world.tenant.ref, () =>
    startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
  )
  await jobQueue().drained()
  const positions = await RequestContext.withTenant(world.tenant.ref, () => PaymentPosition.query().orderBy('id'))
  const pay = (nav: string) =>
    fetch(`${world.gpd.url}/sim/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nav }),
    })
  return { world, a, b, positions, pay }
}

test.group('Billing: reconciliation from the reporting flows (FdR)', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('a flow of the simulator pays what its receipt had not, confirms what it had, and posts each payment once', async ({
    assert,
    cleanup,
    client,
  }) => {
    const { world, a, b, positions, pay } = await billedMonth()
    cleanup(() => world.close())
    const operator = await makeUser(world.tenant, ['operator'])
    // A is paid and its receipt read; B is paid and only the flow will tell.
    assert.equal((await pay(positions[0].nav)).status, 200)
    await RequestContext.withTenant(world.tenant.ref, () => reconcileTenant(world.tenant))
    assert.equal((await pay(positions[1].nav)).status, 200)
    const today = world.clock.now.setZone('Europe/Rome').toISODate()
    const published = await fetch(`${world.gpd.url}/sim/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ upTo: today }),
    })
    assert.equal(published.status, 200)
    assert.isAtLeast((await published.json()).flows.length, 1)

    const result = await RequestContext.withTenant(world.tenant.ref, () => reconcileFlows(world.tenant))
    assert.deepInclude(result, { reconciled: 1, lines: 2, anomalies: 0 })
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const [first, second] = await PaymentPosition.query().orderBy('id')
      assert.equal(first.status, 'paid')
      assert.equal(second.status, 'paid')
      assert.equal(second.paidCents, 3000)
      assert.equal((await balanceOf({ payerUserId: a.payer.id })).balanceCents, 0)
      assert.equal((await balanceOf({ payerUserId: b.payer.id })).balanceCents, 0)
      const payments = await db.from('ledger_entries').where('tenant_id', world.tenant.id).where('kind', 'payment')
      assert.lengthOf(payments, 2)
      const step = await db.from('payment_position_steps').where('position_id', second.id).where('step', 'paid').first()
      assert.match(JSON.parse(step.details).flow_id, /^\d{4}-\d{2}-\d{2}/)
      // Read again, and the receipts after it: nothing more.
      assert.deepInclude(await reconcileFlows(world.tenant), { reconciled: 0 })
      assert.equal((await reconcileTenant(world.tenant)).posted, 0)
      assert.lengthOf(await db.from('ledger_entries').where('tenant_id', world.tenant.id).where('kind', 'payment'), 2)
    })

    const list = await client.get(`/api/v1/t/${world.tenant.slug}/billing/flows`).loginAs(operator)
    list.assertStatus(200)
    assert.lengthOf(list.body().flows, 1)
    assert.include(list.body().flows[0], { totals_ok: true, declared_sum_cents: 7500, computed_count: 2 })
    assert.equal(list.body().flows[0].summary.matched.count, 2)
    const refused = await client.get(`/api/v1/t/${world.tenant.slug}/billing/flows`).loginAs(a.payer)
    refused.assertStatus(403)
  })

  test('unmatched, duplicated and short lines and a wrong total are flagged for the office', async ({
    assert,
    cleanup,
    client,
  }) => {
    const { world, positions, pay } = await billedMonth()
    cleanup(() => world.close())
    const operator = await makeUser(world.tenant, ['operator'])
    await pay(positions[0].nav)
    const line = (index: number, iuv: string, iur: string, amount: number) => ({
      index,
      iuv,
      iur,
      idTransfer: '1',
      amount,
      status: 'EXECUTED' as const,
      payDate: '2026-11-03T10:00:00',
    })
    const flow = (id: string, lines: ReportingFlow['lines'], declaredSum: number): ReportingFlow => ({
      id,
      revision: 1,
      pspId: 'BCITITMM',
      pspName: 'Banca di prova',
      organizationId: '00229080338',
      flowDate: '2026-11-04T08:00:00',
      regulation: `TRN-${id}`,
      regulationDate: '2026-11-05',
      bicCodePouringBank: null,
      declaredCount: lines.length,
      declaredSum,
      lines,
      source: 'fdr3',
    })
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const first = await applyFlow(flow('2026-11-03BCITITMM-0000001', [line(1, positions[0].iuv, 'R-1', 4500)], 4500))
      assert.equal(first!.summary.matched.count, 1)
      // The same transfer again in another flow, an IUV nobody issued, a short payment, and a total that lies.
      const second = await applyFlow(
        flow(
          '2026-11-03BCITITMM-0000002',
          [
            line(1, positions[0].iuv, 'R-1b', 4500),
            line(2, '01999999999999999', 'R-2', 1000),
            line(3, positions[1].iuv, 'R-3', 2000),
          ],
          9999
        )
      )
      assert.deepEqual(
        second!.lines.map((l) => l.outcome),
        ['duplicated', 'unmatched', 'partial']
      )
      assert.isFalse(second!.totals.ok)
      // The short payment is recorded for what arrived; the duplicate posts nothing.
      const [a, b] = await PaymentPosition.query().orderBy('id')
      assert.equal(a.paidCents, 4500)
      assert.equal(b.status, 'partially_paid')
      assert.equal(b.paidCents, 2000)
      assert.isNull(await applyFlow(flow('2026-11-03BCITITMM-0000002', [], 0)))
    })

    const anomalies = await client.get(`/api/v1/t/${world.tenant.slug}/billing/flows?anomalies=1`).loginAs(operator)
    anomalies.assertStatus(200)
    assert.lengthOf(anomalies.body().flows, 1)
    assert.isFalse(anomalies.body().flows[0].totals_ok)
    assert.lengthOf(anomalies.body().flows[0].problems, 1)
    const detail = await client
      .get(`/api/v1/t/${world.tenant.slug}/billing/flows/${anomalies.body().flows[0].id}`)
      .header('accept-language', 'en')
      .loginAs(operator)
    detail.assertStatus(200)
    assert.deepEqual(
      detail.body().lines.map((l: { outcome: string }) => l.outcome),
      ['duplicated', 'unmatched', 'partial']
    )
    assert.match(detail.body().lines[1].reason, /no position of the ente has IUV 01999999999999999/)
    const missing = await client.get(`/api/v1/t/${world.tenant.slug}/billing/flows/999999`).loginAs(operator)
    missing.assertStatus(404)
  })
})
