import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { reconcileTenant } from '#services/billing/reconcile'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { transactionWithJobs } from '#tests/helpers/world'

test.group('Payments for families: the pay link and the yearly statement', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('an open notice has its checkout link, a paid one none; the year’s payments come as a PDF', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const a = await world.enrol(null, '45.00')
    const b = await world.enrol(null, '30.00')
    await RequestContext.withTenant(world.tenant.ref, () =>
      startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
    )
    await jobQueue().drained()
    const [first, second] = await RequestContext.withTenant(world.tenant.ref, () =>
      PaymentPosition.query().orderBy('id')
    )
    await fetch(`${world.gpd.url}/sim/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nav: first.nav }),
    })
    await RequestContext.withTenant(world.tenant.ref, () => reconcileTenant(world.tenant))
    const api = `/api/v1/t/${world.tenant.slug}`

    // Without a checkout of its own the link is pagoPA's checkout; the paid notice has none.
    const mineA = await client.get(`${api}/payments/positions`).loginAs(a.payer)
    assert.isNull(mineA.body().positions[0].pay_url)
    const mineB = await client.get(`${api}/payments/positions`).loginAs(b.payer)
    assert.equal(mineB.body().positions[0].pay_url, 'https://checkout.pagopa.it/')
    // The demo's checkout: the simulator's page of the notice, where it can be paid.
    await RequestContext.asSystem('test', async () => {
      world.tenant.settings = {
        ...world.tenant.settings,
        pagopa: { ...(world.tenant.settings.pagopa as object), checkoutUrl: `${world.gpd.url}/pay/{nav}` },
      }
      await world.tenant.save()
    })
    const linked = await client.get(`${api}/payments/positions`).loginAs(b.payer)
    const payUrl = linked.body().positions[0].pay_url
    assert.equal(payUrl, `${world.gpd.url}/pay/${second.nav}`)
    const page = await fetch(payUrl)
    assert.equal(page.status, 200)
    assert.include(await page.text(), second.nav.slice(0, 4))

    const year = DateTime.now().setZone('Europe/Rome').year
    const statement = await client.get(`${api}/payments/statement.pdf?year=${year}`).loginAs(a.payer)
    statement.assertStatus(200)
    assert.equal(statement.header('content-type'), 'application/pdf')
    const lines = await pdfTextLines(Buffer.from(statement.body() as ArrayBuffer))
    assert.include(lines, `Attestazione dei pagamenti dell'anno ${year}`)
    assert.isTrue(lines.some((l) => l.includes('45,00')))
    assert.isTrue(lines.some((l) => l.includes(a.enrolment.childFirstName!)))
    // The other family paid nothing: its statement says so; a year out of range is refused.
    const none = await client
      .get(`${api}/payments/statement.pdf?year=${year}`)
      .header('accept-language', 'en')
      .loginAs(b.payer)
    const noneLines = await pdfTextLines(Buffer.from(none.body() as ArrayBuffer))
    assert.include(noneLines, 'No payment recorded in the year.')
    ;(await client.get(`${api}/payments/statement.pdf?year=1999`).loginAs(a.payer)).assertStatus(422)
  })
})
