import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import PaymentPosition from '#models/payment_position'
import Injunction from '#models/injunction'
import db from '@adonisjs/lucid/services/db'
import { RequestContext } from '#services/infrastructure/request_context'
import { reconcileTenant } from '#services/billing/reconcile'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { canteenBillingWorld } from '#tests/helpers/family_billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { baseUrl, logIn, openBrowser, seriousViolations, snap, PHONE } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Portale cittadino: pagamenti', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('a parent sees the billed month, pays it on the checkout, and after reconciliation sees it paid', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await canteenBillingWorld(client)
    cleanup(() => world.close())
    await world.enrolThroughForm(world.sample)
    await world.bill('2026-10')
    const position = await RequestContext.withTenant(world.tenant.ref, () => PaymentPosition.query().firstOrFail())
    const { page, close } = await openBrowser()
    try {
      await logIn(page, world.citizen.email)
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Pagamenti' }).click()
      await page.getByRole('heading', { name: 'Pagamenti', level: 1 }).waitFor()
      const row = page.getByTestId(`position-${position.id}`)
      await row.waitFor()
      assert.include(await row.textContent(), 'Ottobre 2026')
      assert.include(await row.textContent(), 'Giulia')
      assert.equal((await row.getByTestId('notice-code').textContent())?.trim(), formatNoticeNumber(position.nav))
      assert.equal((await row.getByTestId('position-status').textContent())?.trim(), 'Da pagare')
      const amount = `${Math.floor(position.amountCents / 100)},${String(position.amountCents % 100).padStart(2, '0')}`
      assert.include(await row.textContent(), amount)
      assert.include(await page.getByTestId('payments-balance').textContent(), amount)

      // The notice and the yearly statement are PDFs the family can open.
      const noticeHref = await row.getByRole('link', { name: /Avviso PDF di Ottobre 2026/ }).getAttribute('href')
      const notice = await page.request.get(`${baseUrl()}${noticeHref}`)
      assert.equal(notice.status(), 200)
      assert.equal(notice.headers()['content-type'], 'application/pdf')
      const statementHref = await page.getByTestId('statement-link').getAttribute('href')
      const statement = await page.request.get(`${baseUrl()}${statementHref}`)
      assert.equal(statement.headers()['content-type'], 'application/pdf')

      // The canteen's panel: the meals eaten by the child in October.
      await page.getByLabel('Mese', { exact: true }).selectOption('2026-10')
      const meals = page.getByTestId('refezione-meals')
      await meals.getByText('Pasti consumati a ottobre 2026').waitFor()
      const eaten = Number((await meals.locator('tbody td').first().textContent())?.trim())
      assert.isAbove(eaten, 0)
      assert.include(await row.textContent(), `${eaten} ×`)

      assert.deepEqual(await seriousViolations(page), [], 'payments: axe violations')
      await snap(page, 'portal-payments')
      await page.setViewportSize(PHONE)
      await snap(page, 'portal-payments-phone')
      assert.deepEqual(await seriousViolations(page), [], 'payments on a phone: axe violations')
      await page.setViewportSize({ width: 1366, height: 900 })

      const portalUrl = page.url()
      // "Paga": the checkout (the simulator's, in tests and the demo), where the notice is paid.
      await row.getByRole('link', { name: /Paga l’avviso di Ottobre 2026/ }).click()
      await page.waitForURL(`${world.gpd.url}/pay/**`)
      await page.getByRole('button', { name: /Paga/ }).click()
      await page.locator('.ok').waitFor()

      // Once the receipts are reconciled the family sees it paid, and nothing left to pay.
      await RequestContext.withTenant(world.tenant.ref, () => reconcileTenant(world.tenant))
      await page.goto(portalUrl)
      const paid = page.getByTestId(`position-${position.id}`)
      await paid.getByTestId('position-status').filter({ hasText: 'Pagato' }).waitFor()
      assert.notInclude(await paid.textContent(), 'Paga l’avviso')
      assert.equal(await paid.getByRole('link', { name: /^Paga/ }).count(), 0)
      assert.include(await page.getByTestId('payments-balance').textContent(), 'Nessun importo da pagare')

      // In English too.
      await page.evaluate(() => localStorage.setItem('sportello.lang', 'en'))
      await page.reload()
      await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor()
      await page
        .getByTestId(`position-${position.id}`)
        .getByTestId('position-status')
        .filter({ hasText: 'Paid' })
        .waitFor()
      assert.include(await page.getByTestId(`position-${position.id}`).textContent(), 'October 2026')
      assert.deepEqual(await seriousViolations(page), [], 'payments in English: axe violations')
    } finally {
      await close()
    }
  })

  test("an injunction's position is shown as the injunction, with the months it replaces", async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await canteenBillingWorld(client)
    cleanup(() => world.close())
    await world.enrolThroughForm(world.sample)
    await world.bill('2026-10')
    // The October notice went unpaid: an injunction replaced it with one notice for the total (as
    // injunctions.ts leaves it once its job has run: the old position cancelled, the new one published).
    const { october, replacing, label } = await RequestContext.asSystem('test', () =>
      RequestContext.withTenant(world.tenant.ref, async () => {
        const old = await PaymentPosition.query().firstOrFail()
        const made = await PaymentPosition.create({
          runId: null,
          payerUserId: old.payerUserId,
          service: old.service,
          period: '2026-11',
          iupd: `${old.iupd}-ING`,
          iuv: '01000000000099987',
          nav: '301000000000099987',
          amountCents: old.amountCents,
          paidCents: 0,
          dueDate: '2099-12-31',
          status: 'published',
          noticeChannel: null,
          paidAt: null,
          psp: null,
        })
        const injunction = await Injunction.create({
          year: 2026,
          number: 7,
          payerUserId: old.payerUserId,
          status: 'issued',
          positions: [
            {
              id: old.id,
              iupd: old.iupd,
              nav: old.nav,
              service: old.service,
              period: old.period,
              owed_cents: old.amountCents,
            },
          ],
          owedCents: old.amountCents,
          dueDate: '2099-12-31',
          positionId: made.id,
          protocolNumber: null,
          protocolYear: null,
          protocolDate: null,
          protocolLabel: null,
          issuedBy: null,
          collectionRecordId: null,
        })
        await db.table('injunction_positions').insert({
          tenant_id: world.tenant.id,
          injunction_id: injunction.id,
          position_id: old.id,
          owed_cents: old.amountCents,
          outcome: 'invalidated',
          created_at: DateTime.now().toFormat(db.connection().dialect.dateTimeFormat),
        })
        old.status = 'cancelled'
        await old.save()
        return { october: old, replacing: made, label: injunction.label }
      })
    )
    const { page, close } = await openBrowser()
    try {
      await logIn(page, world.citizen.email)
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Pagamenti' }).click()
      await page.getByRole('heading', { name: 'Pagamenti', level: 1 }).waitFor()
      const row = page.getByTestId(`position-${replacing.id}`)
      await row.waitFor()
      const title = (await row.getByTestId('position-title').textContent())?.trim()
      assert.equal(title, `Ingiunzione n. ${label}`, `the injunction's row title; seen: ${title}`)
      const replaces = (await row.getByTestId('injunction-replaces').textContent())?.trim()
      assert.equal(replaces, 'Sostituisce gli avvisi di: Ottobre 2026', `the months replaced; seen: ${replaces}`)
      const rowText = (await row.textContent()) ?? ''
      assert.notInclude(rowText, 'Novembre 2026', `the injunction is not shown as a month of its own: ${rowText}`)
      assert.equal(
        await row.getByRole('link', { name: `Paga l’avviso di Ingiunzione n. ${label}`, exact: false }).count(),
        1
      )
      // The replaced October notice says what replaced it.
      const old = page.getByTestId(`position-${october.id}`)
      assert.equal((await old.getByTestId('position-status').textContent())?.trim(), 'Annullato')
      const replacedBy = (await old.getByTestId('replaced-by').textContent())?.trim()
      assert.equal(replacedBy, `Sostituito dall’ingiunzione n. ${label}`, `the cancelled notice; seen: ${replacedBy}`)
      assert.deepEqual(await seriousViolations(page), [], 'payments with an injunction: axe violations')
      await snap(page, 'portal-payments-injunction')

      await page.evaluate(() => localStorage.setItem('sportello.lang', 'en'))
      await page.reload()
      await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor()
      const en = page.getByTestId(`position-${replacing.id}`)
      await en
        .getByTestId('position-title')
        .filter({ hasText: `Injunction no. ${label}` })
        .waitFor()
      const enReplaces = (await en.getByTestId('injunction-replaces').textContent())?.trim()
      assert.equal(enReplaces, 'Replaces the notices of: October 2026', `in English; seen: ${enReplaces}`)
      const enOld = (await page.getByTestId(`position-${october.id}`).getByTestId('replaced-by').textContent())?.trim()
      assert.equal(enOld, `Replaced by injunction no. ${label}`)
    } finally {
      await close()
    }
  })
})
