/**
 * Declarations and choices the law asks the citizen to make start empty and are made by them: a
 * new form shows every "Dichiarazioni" box unticked and no radio chosen, and the server refuses a
 * sending until each declaration is ticked (DPR 445/2000 art. 46-47: a declaration is the
 * citizen's own act). The real server answers every request.
 */
import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import type { Page } from 'playwright-core'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { pluginService } from '#services/tenants/plugin_service'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, goToStep, logIn, openBrowser, seriousViolations, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

const EDUGATE = 'edugate.iscrizione'

/** The state of every checkbox and radio inside the form as it is on screen. */
async function ticked(page: Page, selector: string) {
  return page.locator(`form ${selector}`).evaluateAll((inputs) =>
    inputs.map((i) => ({
      id: (i as unknown as { id: string }).id,
      checked: (i as unknown as { checked: boolean }).checked,
    }))
  )
}

test.group('Portale cittadino: dichiarazioni e scelte non precompilate', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a new canteen form ticks nothing and chooses nothing for the citizen', async ({ assert }) => {
    const { tenant, citizen } = await refezioneTenant()
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}`)
      await page.getByTestId('step-title').filter({ hasText: 'Chi presenta la domanda' }).waitFor()
      // Who applies: a choice the citizen makes.
      const first = await ticked(page, 'input[type=radio]')
      assert.isAbove(first.length, 0)
      assert.deepEqual(
        first.filter((i) => i.checked),
        [],
        'a radio is chosen before the citizen chose'
      )
      for (const step of ['Scuola', 'Famiglia', 'ISEE e condizioni particolari', 'Tariffa e pagamento']) {
        await goToStep(page, step)
        assert.deepEqual(
          (await ticked(page, 'input[type=radio], input[type=checkbox]')).filter((i) => i.checked),
          [],
          `something is already chosen on the step "${step}"`
        )
      }
      await goToStep(page, 'Dichiarazioni e documento')
      const declarations = await ticked(page, 'input[type=checkbox][id^="root_declarations_"]')
      assert.lengthOf(declarations, 8, 'the eight declarations of the canteen form')
      assert.deepEqual(
        declarations.filter((i) => i.checked),
        [],
        'a declaration is ticked before the citizen ticked it'
      )
      assert.deepEqual(await seriousViolations(page), [], 'declarations unticked: axe violations')
    } finally {
      await close()
    }
  })

  test('a sending with the declarations unticked is refused at each of them, and goes once they are ticked', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    // A draft with everything filled in except the declarations and the tariff acknowledgement.
    const data: Record<string, unknown> = { ...sample }
    delete data.declarations
    delete data.tariff_acknowledged
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data }).loginAs(citizen)
    draft.assertStatus(201)
    const id = draft.body().submission.id as number

    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${id}`)
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia', exact: true }).click()
      const summary = page.getByTestId('error-summary')
      await summary.waitFor()
      // One line per declaration, each named by its section and leading to its box.
      const lines = summary.getByRole('listitem')
      assert.equal(await lines.count(), 9, 'eight declarations and the tariff acknowledgement')
      assert.include(await summary.textContent(), 'Dichiarazioni')
      // Nothing was sent: the application is still a draft.
      const stillDraft = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      assert.equal(stillDraft.body().submission.status, 'draft')
      await snap(page, 'declarations-01-refused')

      await summary.getByRole('link').first().click()
      await goToStep(page, 'Tariffa e pagamento')
      await page.locator('#root_tariff_acknowledged').check()
      await goToStep(page, 'Dichiarazioni e documento')
      const boxes = page.locator('form input[type=checkbox][id^="root_declarations_"]')
      assert.equal(await boxes.count(), 8)
      // The message sits at each box until it is ticked.
      assert.isAtLeast(await page.locator('form .invalid-feedback, form .error-detail').count(), 1)
      for (let i = 0; i < 8; i++) await boxes.nth(i).check()
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia', exact: true }).click()
      await page.getByRole('heading', { name: 'Domanda inviata', level: 1 }).waitFor()
      await jobQueue().drained()
      const sent = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      assert.include(['submitted', 'protocolled'], sent.body().submission.status)
      assert.deepEqual(
        Object.values(sent.body().submission.data.declarations),
        Array(8).fill(true),
        'each declaration the citizen ticked'
      )
    } finally {
      await close()
    }
  })

  test('Edugate: vaccination and privacy unticked, nobody’s sex chosen for them', async ({ assert }) => {
    const { tenant, citizen } = await refezioneTenant()
    await pluginService.enable(tenant, 'nidi')
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${EDUGATE}`)
      await page.getByTestId('step-title').filter({ hasText: 'Genitore e bambino' }).waitFor()
      const sexes = await ticked(page, 'input[type=radio][id*="_sex"]')
      assert.isAtLeast(sexes.length, 4, 'the applicant’s and the child’s "Sesso"')
      assert.deepEqual(
        (await ticked(page, 'input[type=radio], input[type=checkbox]')).filter((i) => i.checked),
        [],
        'something is already chosen for the parent or the child'
      )
      await goToStep(page, 'Dichiarazioni e documenti')
      const declarations = await ticked(page, 'input[type=checkbox][id^="root_declarations_"]')
      assert.includeMembers(
        declarations.map((d) => d.id),
        ['root_declarations_vaccination_obligation', 'root_declarations_privacy_notice_read']
      )
      assert.deepEqual(
        declarations.filter((i) => i.checked),
        [],
        'a declaration is ticked before the citizen ticked it'
      )
    } finally {
      await close()
    }
  })
})
