import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { GpdConflictError, GpdError } from '#integrations/pagopa/gpd_client'
import { ServiceUnavailableError } from '#integrations/http/http_call'
import type { GpdSimulator } from '#integrations/pagopa/gpd_simulator'
import { reconcileFlow, type KnownTransfer } from '#integrations/pagopa/reconciliation'
import { canteenPosition, gpdClient, gpdSimulator, KEY, ORG, readJson } from '#tests/helpers/pagopa'

test.group('GPD client against the GPD simulator over HTTP', (group) => {
  let simulator: GpdSimulator
  let clock: Date
  group.each.setup(async () => {
    clock = new Date()
    simulator = await gpdSimulator({ now: () => clock })
    return () => simulator.close()
  })

  test('creates a published position, VALID at once, with NAV = 3 + IUV, and reads its status', async ({ assert }) => {
    const gpd = gpdClient(simulator)
    const position = canteenPosition(1)
    const { position: created, created: isNew } = await gpd.createPosition(position)
    assert.isTrue(isNew)
    assert.equal(created.status, 'VALID')
    assert.equal(created.paymentOption[0].nav, '301000000000000144')
    assert.equal(created.paymentOption[0].status, 'PO_UNPAID')
    const read = await gpd.getPosition(position.iupd)
    assert.equal(read!.status, 'VALID')
    assert.equal(read!.paymentOption[0].transfer[0].status, 'T_UNREPORTED')
    assert.isNull(await gpd.getPosition('nessuna'))
    const [call] = simulator.calls
    assert.deepEqual(call, {
      method: 'POST',
      path: `/gpd/debt-positions-service/v1/organizations/${ORG}/debtpositions`,
    })
  })

  test('a 409 for the same position (an earlier answer lost) is success after reading back', async ({ assert }) => {
    const gpd = gpdClient(simulator)
    await gpd.createPosition(canteenPosition(2))
    const again = await gpd.createPosition(canteenPosition(2))
    assert.isFalse(again.created)
    assert.equal(again.position.status, 'VALID')
    // The read-back happened: POST, POST (409), GET.
    assert.deepEqual(
      simulator.calls.map((c) => c.method),
      ['POST', 'POST', 'GET']
    )
  })

  test('a 409 for an IUV used by another position, or the same iupd with other options, is a conflict', async ({
    assert,
  }) => {
    const gpd = gpdClient(simulator)
    await gpd.createPosition(canteenPosition(3))
    const otherIupd = canteenPosition(3, { iupd: `${ORG}-altra` })
    await assert.rejects(() => gpd.createPosition(otherIupd), /already used by another position/)
    const otherAmount = canteenPosition(3, {}, 9999)
    const error = await gpd.createPosition(otherAmount).catch((e) => e)
    assert.instanceOf(error, GpdConflictError)
    assert.match(error.message, /already exists with other payment options/)
  })

  test('5xx and timeouts are retried; a lasting failure is a clear ServiceUnavailableError', async ({ assert }) => {
    const gpd = gpdClient(simulator, { timeoutMs: 300 })
    simulator.failNext(1, { status: 503 })
    simulator.failNext(1, { delayMs: 600 })
    const { created } = await gpd.createPosition(canteenPosition(4))
    assert.isTrue(created)
    assert.lengthOf(simulator.calls, 3)

    simulator.failNext(3, { status: 500 })
    const error = await gpd.getPosition(canteenPosition(4).iupd).catch((e) => e)
    assert.instanceOf(error, ServiceUnavailableError)
    assert.isTrue(error.retryable)
    assert.match(error.message, /GPD getPosition: service unavailable \(HTTP 500.*after 3 attempts\)/)

    // A dead server: the network error is retried and named.
    const dead = gpdClient(simulator, { gpdUrl: 'http://127.0.0.1:1/gpd', attempts: 2 })
    await assert.rejects(() => dead.getPosition('x'), /GPD getPosition: service unavailable .*after 2 attempts/)
  })

  test('a wrong subscription key is refused with 401, another ente with 403', async ({ assert }) => {
    const wrong = gpdClient(simulator, { subscriptionKey: () => 'sbagliata' })
    const error = await wrong.createPosition(canteenPosition(5)).catch((e) => e)
    assert.instanceOf(error, GpdError)
    assert.equal(error.status, 401)
    assert.match(error.message, /check the subscription key/)
    const other = gpdClient(simulator, { organizationFiscalCode: '80004020923' })
    const forbidden = await other.getPosition('x').catch((e) => e)
    assert.equal(forbidden.status, 403)
    // Nothing was retried: 4xx are answers, not failures.
    assert.lengthOf(simulator.calls, 2)
  })

  test('a position the simulator refuses comes back as a GpdError naming the problem', async ({ assert }) => {
    const gpd = gpdClient(simulator)
    const position = canteenPosition(6)
    position.paymentOption[0].transfer[0].amount = 100
    const error = await gpd.createPosition(position).catch((e) => e)
    assert.instanceOf(error, GpdError)
    assert.equal(error.status, 400)
    assert.match(error.message, /transfers add up to 100 cents, the option asks 4520/)
  })

  test('update while updatable, invalidate (idempotently), delete only before payment', async ({ assert }) => {
    const gpd = gpdClient(simulator)
    const position = canteenPosition(7)
    await gpd.createPosition(position)
    const changed = canteenPosition(7, {}, 3000)
    const updated = await gpd.updatePosition(position.iupd, changed)
    assert.equal(updated.paymentOption[0].amount, 3000)
    assert.equal(updated.status, 'VALID')

    const invalid = await gpd.invalidatePosition(position.iupd)
    assert.equal(invalid.status, 'INVALID')
    // Again, as after a lost answer: the client reads back and finds it done.
    assert.equal((await gpd.invalidatePosition(position.iupd)).status, 'INVALID')
    await assert.rejects(() => gpd.updatePosition(position.iupd, changed), GpdConflictError as never)
    assert.deepEqual(await gpd.deletePosition(position.iupd), { deleted: true })
    assert.deepEqual(await gpd.deletePosition(position.iupd), { deleted: false })

    const paid = canteenPosition(8)
    await gpd.createPosition(paid)
    simulator.store.pay(`3${paid.paymentOption[0].iuv}`)
    await assert.rejects(() => gpd.updatePosition(paid.iupd, canteenPosition(8, {}, 100)), /PAID: it cannot be updated/)
    await assert.rejects(() => gpd.invalidatePosition(paid.iupd), /cannot be invalidated in status PAID/)
    await assert.rejects(() => gpd.deletePosition(paid.iupd), /a paid position cannot be deleted/)
  })

  test('a draft is published on request; publishing twice is success', async ({ assert }) => {
    const gpd = gpdClient(simulator)
    const position = canteenPosition(9)
    const { position: draft } = await gpd.createPosition(position, { toPublish: false })
    assert.equal(draft.status, 'DRAFT')
    await assert.rejects(() => gpd.invalidatePosition(position.iupd), /cannot be invalidated in status DRAFT/)
    assert.equal((await gpd.publishPosition(position.iupd)).status, 'VALID')
    assert.equal((await gpd.publishPosition(position.iupd)).status, 'VALID')
  })

  test('paying on the checkout page gives a receipt the client reads back', async ({ assert }) => {
    const gpd = gpdClient(simulator)
    const position = canteenPosition(10)
    await gpd.createPosition(position)
    const nav = `3${position.paymentOption[0].iuv}`
    const page = await fetch(`${simulator.url}/pay/${nav}`)
    const html = await page.text()
    assert.equal(page.status, 200)
    assert.include(html, '€ 45,20')
    assert.include(html, '3010 0000 0000 0010')
    assert.include(html, 'Refezione scolastica marzo 2026 - Luca Rossi')
    assert.include(html, '<button type="submit">Paga € 45,20</button>')

    const paid = await fetch(`${simulator.url}/pay/${nav}`, {
      method: 'POST',
      body: new URLSearchParams({ psp: 'SIMPSPIT2XX', org: ORG }),
      redirect: 'manual',
    })
    assert.equal(paid.status, 303)
    const after = await (await fetch(`${simulator.url}${paid.headers.get('location')}`)).text()
    assert.include(after, 'Pagato il')
    assert.include(after, 'Poste Simulate S.p.A.')

    const receipt = await gpd.getReceipt(position.paymentOption[0].iuv)
    assert.isNotNull(receipt)
    assert.equal(receipt!.noticeNumber, nav)
    assert.equal(receipt!.amount, 4520)
    assert.equal(receipt!.pspId, 'SIMPSPIT2XX')
    assert.equal(receipt!.debtor.fiscalCode, 'RSSMRA85T10A562S')
    assert.deepEqual(receipt!.transfers[0], {
      idTransfer: '1',
      amount: 4520,
      organizationFiscalCode: ORG,
      iban: 'IT60X0542811101000000123456',
      remittanceInformation: 'Refezione scolastica marzo 2026',
      category: '9/0101002IM/',
    })
    assert.isNull(await gpd.getReceipt('01000000000000999'))
    const list = await gpd.listReceipts()
    assert.deepEqual(
      list.map((r) => r.iuv),
      [position.paymentOption[0].iuv]
    )
    const status = await gpd.getPosition(position.iupd)
    assert.equal(status!.status, 'PAID')
    assert.equal(status!.paymentOption[0].pspCompany, 'Poste Simulate S.p.A.')

    // A second payment of the same notice is refused on the page.
    const twice = await fetch(`${simulator.url}/pay/${nav}`, {
      method: 'POST',
      body: new URLSearchParams({ org: ORG }),
    })
    assert.equal(twice.status, 409)
    assert.include(await twice.text(), 'PAID')
  })

  test('FdR: a flow per PSP and day on D+2, its sum the sum of its lines, reconciled line by line', async ({
    assert,
  }) => {
    const gpd = gpdClient(simulator)
    const positions = [canteenPosition(11), canteenPosition(12, {}, 1234), canteenPosition(13, {}, 999)]
    for (const p of positions) await gpd.createPosition(p)
    const payDay = DateTime.fromJSDate(clock).setZone('Europe/Rome')
    simulator.store.pay(`3${positions[0].paymentOption[0].iuv}`, { pspId: 'SIMPSPIT1XX' })
    simulator.store.pay(`3${positions[1].paymentOption[0].iuv}`, { pspId: 'SIMPSPIT1XX' })
    simulator.store.pay(`3${positions[2].paymentOption[0].iuv}`, { pspId: 'SIMPSPIT3XX' })

    // The same day and the day after: nothing published yet.
    assert.deepEqual(await gpd.listFlows(), [])
    clock = payDay.plus({ days: 1 }).toJSDate()
    assert.deepEqual(await gpd.listFlows(), [])
    clock = payDay.plus({ days: 2, hours: 1 }).toJSDate()
    const flows = await gpd.listFlows()
    assert.lengthOf(flows, 2)
    const day = payDay.toISODate()
    assert.sameMembers(
      flows.map((f) => f.fdr),
      [`${day}SIMPSPIT1XX-0000001`, `${day}SIMPSPIT3XX-0000001`]
    )
    assert.lengthOf(await gpd.listFlows({ pspId: 'SIMPSPIT3XX' }), 1)

    const ref = flows.find((f) => f.pspId === 'SIMPSPIT1XX')!
    const flow = await gpd.getFlow(ref)
    assert.equal(flow.declaredCount, 2)
    assert.equal(flow.declaredSum, 4520 + 1234)
    assert.equal(
      flow.lines.reduce((s, l) => s + l.amount, 0),
      flow.declaredSum
    )
    assert.equal(flow.organizationId, ORG)

    const known: KnownTransfer[] = positions.map((p) => ({
      iuv: p.paymentOption[0].iuv,
      idTransfer: '1',
      amount: p.paymentOption[0].amount,
      ref: p.iupd,
    }))
    const result = await reconcileFlow(flow, {
      transfers: async (keys) => known.filter((k) => keys.some((x) => x.iuv === k.iuv)),
    })
    assert.isTrue(result.totals.ok)
    assert.deepEqual(result.summary.matched, { count: 2, amount: 5754 })
    assert.deepEqual(
      result.lines.map((l) => l.transfer?.ref),
      [positions[0].iupd, positions[1].iupd]
    )

    const reported = await gpd.getPosition(positions[0].iupd)
    assert.equal(reported!.status, 'REPORTED')
    assert.equal(reported!.paymentOption[0].status, 'PO_REPORTED')
    assert.equal(reported!.paymentOption[0].idFlowReporting, ref.fdr)
    assert.equal(reported!.paymentOption[0].transfer[0].status, 'T_REPORTED')

    // The treasury's credit names the flow and carries its total.
    const credits = await readJson(await fetch(`${simulator.url}/sim/treasury?org=${ORG}`))
    const credit = credits.credits.find((c: { flowId: string }) => c.flowId === ref.fdr)
    assert.deepEqual(credit, {
      org: ORG,
      flowId: ref.fdr,
      remittance: `/PUR/LGPE-RIVERSAMENTO/URI/${ref.fdr}`,
      amount: 5754,
      valueDate: payDay.plus({ days: 1 }).toISODate(),
    })
  })

  test('the key is checked on FdR and receipts too', async ({ assert }) => {
    const answer = await fetch(`${simulator.urls.fdrUrl}/organizations/${ORG}/fdrs`)
    assert.equal(answer.status, 401)
    const ok = await fetch(`${simulator.urls.receiptsUrl}/payments/${ORG}/receipts`, {
      headers: { 'Ocp-Apim-Subscription-Key': KEY },
    })
    assert.equal(ok.status, 200)
  })
})
