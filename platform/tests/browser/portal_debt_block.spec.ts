import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import PaymentPosition from '#models/payment_position'
import { RequestContext } from '#services/infrastructure/request_context'
import { reconcileTenant } from '#services/billing/reconcile'
import { centsText } from '#shared/applicant_facts'
import { FORM, forChild } from '#tests/functional/forms/world'
import { canteenBillingWorld } from '#tests/helpers/family_billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { baseUrl, goToStep, logIn, openBrowser, seriousViolations, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Portale cittadino: debiti scaduti e nuova iscrizione', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('a family with an old unpaid notice sees the block with the amount, pays it, and can then submit', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await canteenBillingWorld(client, { billing: { debtBlocksEnrolment: true, debtBlockAfterDays: 5 } })
    cleanup(() => world.close())
    const { base, citizen, tenant } = world
    await world.enrolThroughForm(world.sample)
    await world.bill('2026-10')
    // The October notice fell due twenty days ago and is still unpaid.
    const position = await RequestContext.asSystem('test', () =>
      RequestContext.withTenant(tenant.ref, async () => {
        const p = await PaymentPosition.query().firstOrFail()
        p.dueDate = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10)
        await p.save()
        return p
      })
    )
    const owed = centsText(position.amountCents, 'it')
    // The application for a second child, saved as a draft with everything filled in.
    const draft = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: forChild(world.sample, 1) })
      .loginAs(citizen)
    draft.assertStatus(201)

    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      const resumeDraft = async () => {
        await page
          .getByRole('navigation', { name: 'Menu principale' })
          .getByRole('link', { name: 'Le mie domande' })
          .click()
        await page.getByRole('link', { name: /Riprendi la bozza/ }).click()
      }
      await resumeDraft()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()
      // The block, with the amount and the way to pay.
      const block = page.getByTestId('debt-block')
      await block.waitFor()
      const text = (await block.textContent()) ?? ''
      assert.include(text, `€ ${owed}`, `the block names the amount owed (€ ${owed}); seen: ${text}`)
      assert.deepEqual(await seriousViolations(page), [], 'form with the debt block: axe violations')
      await snap(page, 'debt-block')

      // Sending anyway: the server refuses with the form's BLOCCO, amount included.
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      const summary = page.getByTestId('error-summary')
      await summary.waitFor()
      const refused = (await summary.textContent()) ?? ''
      assert.include(refused, `€ ${owed}`, `the refusal names the amount; seen: ${refused}`)

      // The link leads to the payments page, where the notice is paid on the checkout.
      await block.getByRole('link', { name: 'Paga gli avvisi nella pagina Pagamenti' }).click()
      await page.getByRole('heading', { name: 'Pagamenti', level: 1 }).waitFor()
      const row = page.getByTestId(`position-${position.id}`)
      await row.getByRole('link', { name: /Paga l’avviso di Ottobre 2026/ }).click()
      await page.waitForURL(`${world.gpd.url}/pay/**`)
      await page.getByRole('button', { name: /Paga/ }).click()
      await page.locator('.ok').waitFor()
      await RequestContext.withTenant(tenant.ref, () => reconcileTenant(tenant))

      // Back to the draft: no block, and the application goes.
      await page.goto(`${baseUrl()}/`)
      await resumeDraft()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()
      await goToStep(page, 'Riepilogo')
      assert.equal(await page.getByTestId('debt-block').count(), 0, 'no block once the notice is paid')
      await page.getByRole('button', { name: 'Invia' }).click()
      await page.getByRole('heading', { name: 'Domanda inviata' }).waitFor()
    } finally {
      await close()
    }
  })
})
