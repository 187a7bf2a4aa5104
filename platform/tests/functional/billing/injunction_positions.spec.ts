import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import PaymentPosition from '#models/payment_position'
import Injunction from '#models/injunction'
import type Tenant from '#models/tenant'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { scheduleArrears } from '#services/billing/arrears'
import { billingInjunctionJob, createCollectionRecord, issueInjunctions } from '#services/billing/injunctions'
import { balanceOf } from '#services/billing/ledger_service'
import { reconcileTenant } from '#services/billing/reconcile'
import { reconcileFlows } from '#services/billing/flow_reconcile'
import type { PagoPaGateway } from '#integrations/pagopa/gpd_client'
import { pagopaFor, setPagopaGateway } from '#integrations/pagopa/pagopa_service'
import { formatNoticeNumber, parseNoticeNumber } from '#integrations/pagopa/notice_number'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { transactionWithJobs } from '#tests/helpers/world'

/**
 * An injunction replaces the unpaid positions it demands by one new pagoPA position for the total:
 * the old ones invalidated on GPD (or left out when GPD says they were paid meanwhile), the new one
 * published, all linked; its payment, by receipt or by reporting flow, settles the replaced charges.
 * On the GPD simulator, with a gateway that fails once and a job run again.
 */
test.group('Billing: an injunction replaces the unpaid positions on pagoPA', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.teardown(() => setPagopaGateway(null))
  const mail = captureMailEachTest(group)

  test('one new position for the total, the old ones invalidated, its payment settles them', async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld({ billing: { reminderAfterDays: 10, letterAfterDays: 20, dueDays: 30 } })
    cleanup(() => world.close())
    const a = await world.enrol(null, '38.20')
    const b = await world.enrol(null, '45.00')
    const inTenant = <T>(fn: () => Promise<T>) => RequestContext.withTenant(world.tenant.ref, fn)
    for (const period of ['2026-09', '2026-10']) {
      await inTenant(() => startRun(world.tenant, { service: 'rette', period, userId: null }))
      await jobQueue().drained()
    }
    const positions = await inTenant(() => PaymentPosition.query().orderBy('id'))
    assert.lengthOf(positions, 4, 'two months of two payers: four positions')
    const of = (payerId: number) => positions.filter((p) => p.payerUserId === payerId)
    const [a1, a2] = of(a.payer.id)
    const [b1, b2] = of(b.payer.id)
    const due = DateTime.fromISO(a1.dueDate)
    await inTenant(async () => {
      await scheduleArrears(world.tenant, due.plus({ days: 11 }))
      await jobQueue().drained()
      await scheduleArrears(world.tenant, due.plus({ days: 31 }))
    })
    await jobQueue().drained()

    const pay = (nav: string) =>
      fetch(`${world.gpd.url}/sim/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nav }),
      })
    // B pays its September notice just after the office's reconciliation read the receipts: the
    // injunction still demands it, and the job finds it paid on GPD.
    assert.equal((await pay(b1.nav)).status, 200)
    // A's October position was invalidated on GPD by an attempt whose answer was lost.
    const real = await inTenant(async () => pagopaFor(world.tenant).gateway)
    await real.invalidatePosition(a2.iupd)
    // The gateway hides the receipts while issuing, and fails A's new position once (a crash).
    let hideReceipts = true
    let failures = 0
    const wrapped = (_tenant: Tenant): PagoPaGateway => ({
      createPosition: async (body, options) => {
        if (body.iupd.includes('-ING-') && body.fiscalCode === a.payer.fiscalCode && failures === 0) {
          failures++
          throw new Error('connection reset by peer')
        }
        return real.createPosition(body, options)
      },
      getPosition: (iupd) => real.getPosition(iupd),
      updatePosition: (iupd, body, options) => real.updatePosition(iupd, body, options),
      publishPosition: (iupd) => real.publishPosition(iupd),
      invalidatePosition: (iupd) => real.invalidatePosition(iupd),
      deletePosition: (iupd) => real.deletePosition(iupd),
      listReceipts: async (filter) => (hideReceipts ? [] : real.listReceipts(filter)),
      getReceipt: (iuv) => real.getReceipt(iuv),
      listFlows: (filter) => real.listFlows(filter),
      getFlow: (ref) => real.getFlow(ref),
    })
    setPagopaGateway(wrapped)

    const { issued } = await inTenant(() => issueInjunctions(world.tenant, { afterDays: 0, userId: null }))
    assert.lengthOf(issued, 2)
    hideReceipts = false
    await jobQueue().drained()
    assert.equal(failures, 1, 'the first attempt at A’s new position failed')

    await inTenant(async () => {
      const injA = await Injunction.query().where('payer_user_id', a.payer.id).firstOrFail()
      const injB = await Injunction.query().where('payer_user_id', b.payer.id).firstOrFail()
      assert.equal(injA.status, 'issued')
      assert.equal(injB.status, 'issued')
      const ownA = await PaymentPosition.findOrFail(injA.positionId!)
      const ownB = await PaymentPosition.findOrFail(injB.positionId!)
      // A: one position for both months, its own notice number from the tenant's sequence.
      assert.equal(ownA.amountCents, 7640)
      assert.equal(injA.owedCents, 7640)
      assert.equal(ownA.status, 'published')
      assert.isNotNull(parseNoticeNumber(ownA.nav), `a valid notice number, got ${ownA.nav}`)
      assert.notInclude(
        positions.map((p) => p.nav),
        ownA.nav
      )
      // B: September was paid before it could be invalidated: left out, the total lowered before publishing.
      assert.equal(ownB.amountCents, 4500)
      assert.equal(injB.owedCents, 4500)
      assert.deepEqual(
        injB.positions.map((p) => p.id),
        [b2.id]
      )
      const outcomes = await db
        .from('injunction_positions')
        .where('tenant_id', world.tenant.id)
        .orderBy('position_id')
        .select('position_id', 'outcome', 'injunction_id')
      assert.deepEqual(
        outcomes.map((o) => [Number(o.position_id), o.outcome, Number(o.injunction_id)]),
        (
          [
            [a1.id, 'invalidated', Number(injA.id)],
            [a2.id, 'invalidated', Number(injA.id)],
            [b1.id, 'paid', Number(injB.id)],
            [b2.id, 'invalidated', Number(injB.id)],
          ] as Array<[number, string, number]>
        ).sort((x, y) => x[0] - y[0])
      )
      const byId = new Map((await PaymentPosition.query()).map((p) => [p.id, p]))
      assert.deepEqual(
        [a1, a2, b1, b2].map((p) => byId.get(p.id)!.status),
        ['cancelled', 'cancelled', 'paid', 'cancelled']
      )
      // On GPD: the old ones invalid (the paid one untouched), the new ones published once.
      for (const p of [a1, a2, b2]) assert.equal((await real.getPosition(p.iupd))!.status, 'INVALID', p.iupd)
      assert.equal((await real.getPosition(b1.iupd))!.status, 'PAID')
      for (const own of [ownA, ownB]) {
        const onGpd = await real.getPosition(own.iupd)
        assert.include(['VALID', 'PUBLISHED'], onGpd!.status)
        assert.equal(onGpd!.paymentOption![0].iuv, own.iuv)
        assert.equal(onGpd!.paymentOption![0].amount, own.amountCents)
      }
      // The old notices can no longer be paid.
      assert.equal((await pay(a1.nav)).status, 409)

      // The job run again (a redelivery): nothing new on GPD, in the protocol or in the mail.
      const protocolA = injA.protocolLabel
      const mails = mail().received.length
      await billingInjunctionJob.handle({ injunctionId: injA.id }, {} as never)
      await billingInjunctionJob.handle({ injunctionId: injB.id }, {} as never)
      await injA.refresh()
      assert.equal(injA.protocolLabel, protocolA)
      assert.equal(mail().received.length, mails)
      assert.lengthOf(await PaymentPosition.query().whereIn('id', [ownA.id, ownB.id]), 2)
      assert.lengthOf(await PaymentPosition.query(), 6)

      // The injunction sent names the new notice and carries its AgID notice.
      const sent = mail().received.find(
        (m) => m.subject?.startsWith('Ingiunzione di pagamento') && (m.to as { text: string }).text === a.payer.email
      )!
      assert.isDefined(sent, 'the injunction mailed to A')
      assert.deepEqual(
        sent.attachments.map((x) => x.filename),
        [`ingiunzione-${injA.year}-${injA.number}.pdf`, `avviso-${ownA.nav}.pdf`]
      )
      const lines = await pdfTextLines(sent.attachments[0].content)
      assert.includeMembers(lines, [
        formatNoticeNumber(a1.nav),
        formatNoticeNumber(a2.nav),
        formatNoticeNumber(ownA.nav),
      ])

      // A pays the injunction on the simulator (receipt), B through a reporting flow.
      assert.equal((await pay(ownA.nav)).status, 200)
      assert.equal((await reconcileTenant(world.tenant)).posted, 1)
      assert.equal((await pay(ownB.nav)).status, 200)
      const published = await fetch(`${world.gpd.url}/sim/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ upTo: world.clock.now.setZone('Europe/Rome').toISODate() }),
      })
      assert.equal(published.status, 200)
      await reconcileFlows(world.tenant)
      await injA.refresh()
      await injB.refresh()
      assert.equal(injA.status, 'paid')
      assert.equal(injB.status, 'paid')
      const after = new Map((await PaymentPosition.query()).map((p) => [p.id, p]))
      for (const p of [a1, a2, b1, b2, ownA, ownB]) {
        assert.equal(after.get(p.id)!.status, 'paid', `position ${p.iupd} settled`)
        assert.equal(after.get(p.id)!.paidCents, after.get(p.id)!.amountCents, `position ${p.iupd} paid in full`)
      }
      // The ledger: each payer owes nothing, each month of A paid under its own month.
      assert.equal((await balanceOf({ payerUserId: a.payer.id })).balanceCents, 0)
      assert.equal((await balanceOf({ payerUserId: b.payer.id })).balanceCents, 0)
      assert.equal((await balanceOf({ payerUserId: a.payer.id })).paidCents, 7640)
      const paymentsA = await db
        .from('ledger_entries')
        .where('tenant_id', world.tenant.id)
        .where('payer_user_id', a.payer.id)
        .where('kind', 'payment')
        .orderBy('period')
      assert.deepEqual(
        paymentsA.map((e) => [e.period, Number(e.amount_cents)]),
        [
          ['2026-09', -3820],
          ['2026-10', -3820],
        ]
      )
      // Read again: nothing posted twice; nothing left for coercive collection.
      assert.equal((await reconcileTenant(world.tenant)).posted, 0)
      assert.deepInclude(await reconcileFlows(world.tenant), { reconciled: 0 })
      assert.equal((await balanceOf({ payerUserId: a.payer.id })).paidCents, 7640)
      assert.isNull(await createCollectionRecord(world.tenant, { afterDays: 0, userId: null }))
    })
  })
})
