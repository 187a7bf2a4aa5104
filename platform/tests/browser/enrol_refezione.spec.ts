import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, openBrowser, seriousViolations, snap } from './portal.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

const SIBLINGS_MISSING = 'Hai indicato che altri figli frequentano il servizio'

test.group('Portale cittadino: iscrizione alla refezione', (group) => {
  // Requests from the browser are served in this process, inside the same global transaction.
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a citizen resumes a draft, fixes a BLOCCO, sees the fee and submits', async ({ assert, client }) => {
    const { citizen, base, sample } = await refezioneTenant()
    // A draft saved earlier: everything filled in except the siblings question.
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    const draftId = draft.body().submission.id as number

    const { page, close } = await openBrowser()
    try {
      await page.goto(`${baseUrl()}/`)
      await page.getByLabel('Indirizzo email').fill(citizen.email)
      await page.getByLabel('Password').fill('secret-password')
      assert.deepEqual(await seriousViolations(page), [], 'login page: serious/critical axe violations')
      await snap(page, '01-login')
      await page.getByRole('button', { name: 'Accedi' }).click()

      await page.getByRole('heading', { name: 'Servizi disponibili' }).waitFor()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()
      await snap(page, '02-home')

      await page.getByRole('link', { name: 'Le mie domande' }).click()
      await page.getByRole('cell', { name: 'Bozza', exact: true }).waitFor()
      await snap(page, '02b-domande')
      await page.getByRole('link', { name: /Riprendi la bozza/ }).click()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()

      // The fee for one child is on screen before any change.
      const amount = page.getByTestId('tariff-amount')
      await amount.waitFor()
      const oneChild = await amount.textContent()
      assert.match(oneChild ?? '', /^€ \d+,\d{2}$/)

      // "Yes, other children use the canteen" without listing them: the BLOCCO shows at that field.
      await page
        .locator('.rjsf-field-boolean')
        .filter({ hasText: 'Altri figli frequentano la mensa' })
        .getByLabel('Sì', { exact: true })
        .check()
      const siblingsField = page
        .locator('.rjsf-field-array')
        .filter({ hasText: 'Altri figli che frequentano il servizio' })
      await siblingsField.getByText(SIBLINGS_MISSING).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'form page: serious/critical axe violations')
      await snap(page, '03-blocco')

      // Sending anyway: the server refuses with the same rule, in the summary and at the field.
      await page.getByRole('button', { name: 'Invia' }).click()
      const summary = page.getByTestId('error-summary')
      await summary.waitFor()
      assert.include(await summary.textContent(), SIBLINGS_MISSING)
      await snap(page, '04-errori-server')

      await siblingsField.getByRole('button', { name: 'Aggiungi', exact: true }).click()
      await page.locator('#root_siblings_0_first_name').fill('Mattia')
      await page.locator('#root_siblings_0_last_name').fill('Bianchi')
      await page.locator('#root_siblings_0_fiscal_code').fill('BSCMTT83A12L719R')
      await page.locator('#root_siblings_0_school_name').fill('Nido Farnesiana')
      await siblingsField.getByText(SIBLINGS_MISSING).waitFor({ state: 'detached' })

      // Two children in paid services: the live fee follows the new data.
      await amount.filter({ hasNotText: oneChild ?? '' }).waitFor()
      assert.match((await amount.textContent()) ?? '', /^€ \d+,\d{2}$/)
      assert.isNotEmpty(await page.getByTestId('tariff-band').textContent())
      await snap(page, '05-tariffa')

      // English labels come from the definition's x-i18n; the data stays as entered.
      await page.getByRole('button', { name: /^EN/ }).click()
      await page.getByRole('heading', { name: 'School canteen enrolment' }).waitFor()
      await page.getByText('Do other children of yours use the school canteen').waitFor()
      assert.equal(await page.locator('#root_siblings_0_first_name').inputValue(), 'Mattia')
      await snap(page, '05b-english')
      await page.getByRole('button', { name: /^IT/ }).click()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()

      await page.getByRole('button', { name: 'Invia' }).click()
      await page.getByRole('heading', { name: 'Domanda inviata' }).waitFor()
      assert.equal(await page.getByTestId('receipt-id').textContent(), String(draftId))
      assert.equal(await page.getByTestId('receipt-status').textContent(), 'Inviata')
      await snap(page, '06-ricevuta')

      // The receipt PDF link works with the citizen's own session.
      const href = await page.getByTestId('receipt-pdf').getAttribute('href')
      const pdf = await page.request.get(`${baseUrl()}${href}`)
      assert.equal(pdf.status(), 200)
      assert.equal(pdf.headers()['content-type'], 'application/pdf')
      assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-')

      const stored = await client.get(`${base}/submissions/${draftId}`).loginAs(citizen)
      // Protocol registration may already have moved it on; it is no longer a draft either way.
      assert.include(['submitted', 'protocolled'], stored.body().submission.status)
      assert.lengthOf(stored.body().submission.data.siblings, 1)
    } catch (error) {
      await snap(page, 'failure', { html: true })
      throw error
    } finally {
      await close()
    }
  })
})

test.group('Portale cittadino: file statici', () => {
  test('serves the built portal with its content types and nothing outside web/dist/assets', async ({
    assert,
    client,
  }) => {
    const index = await client.get('/portale/domande')
    index.assertStatus(200)
    assert.include(index.header('content-type'), 'text/html')
    const script = /src="\/assets\/([^"]+\.js)"/.exec(index.text())?.[1]
    assert.isString(script)

    const asset = await client.get(`/assets/${script}`)
    asset.assertStatus(200)
    assert.include(asset.header('content-type'), 'text/javascript')

    for (const path of [
      '/assets/..%2F..%2Fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/../index.html',
      '/assets/missing.js',
    ]) {
      const response = await client.get(path)
      assert.equal(response.status(), 404, path)
    }
  })
})
