/**
 * What the server says to families, as the portal prints it: the fee's unit and plain summary
 * (live while filling, and on the enrolled child's page after acceptance), a second application
 * for the same child refused at its field (refezione) or sent with a warning (Edugate). Every
 * answer comes from the real server: nothing is stubbed.
 */
import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { FORM } from '#tests/functional/forms/world'
import { baseUrl, goToStep, logIn, openBrowser, seriousViolations, snap } from './portal.js'
import { citizenWithApplications, serviceWorld } from './portal_world.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

const TRASPORTO = 'trasporto.iscrizione'
const EDUGATE = 'edugate.iscrizione'
const OPERATOR_WORDS = ['ROUND_HALF_UP', 'arrotondamento', 'colonna', 'in vigore dal', 'trasporto.tariffa']

test.group('Portale cittadino: quello che il server dice alle famiglie', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the live fee prints the unit the rule set names (a month, a year) and the summary, in it and en', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, base, sample } = await serviceWorld('trasporto', TRASPORTO)
    const draft = await client.post(`${base}/forms/${TRASPORTO}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${TRASPORTO}?bozza=${draft.body().submission.id}`)
      const amount = page.getByTestId('tariff-amount')
      await amount.waitFor()
      assert.match((await amount.textContent()) ?? '', /^€ \d+,\d{2}$/)
      // The monthly pass of the sample: "al mese", never the canteen's "a pasto".
      assert.equal(await page.getByTestId('tariff-amount-unit').textContent(), 'al mese')
      assert.notInclude(await page.getByTestId('tariff-box').textContent(), 'a pasto')
      await page.setViewportSize({ width: 1366, height: 900 })
      // Why, in the family's words: the reasons once each, not a sentence repeating them.
      const why = page.getByTestId('tariff-summary')
      await why.waitFor()
      const reasons = await why.getByRole('listitem').allTextContents()
      assert.isAbove(reasons.length, 0)
      assert.equal(await why.locator('p').count(), 0)
      assert.equal(new Set(reasons).size, reasons.length)
      for (const words of OPERATOR_WORDS) assert.notInclude(await page.getByTestId('tariff-box').textContent(), words)

      // The annual pass: the rule set says "per year", and the portal follows.
      await goToStep(page, 'Tariffa e pagamento')
      await page.getByLabel('Pagamento annuale', { exact: true }).check()
      await page.getByTestId('tariff-amount-unit').filter({ hasText: "all'anno" }).waitFor()
      await snap(page, 'contract-01-fee-year')

      await page.getByRole('button', { name: /English/ }).click()
      await page.getByTestId('tariff-amount-unit').filter({ hasText: 'per year' }).waitFor()
      assert.match((await amount.textContent()) ?? '', /^€\d+\.\d{2}$/)
      await why.getByRole('listitem').first().waitFor()
      assert.notDeepEqual(await why.getByRole('listitem').allTextContents(), reasons, 'the reasons in English')
      assert.deepEqual(await seriousViolations(page), [], 'form with the fee summary: axe violations')
    } finally {
      await close()
    }
  })

  test('after acceptance the child’s page gives the fee with its unit and the family’s summary, never the trace', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, operator, base, sample } = await serviceWorld('trasporto', TRASPORTO)
    const sent = await client.post(`${base}/forms/${TRASPORTO}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(201)
    await jobQueue().drained()
    const accepted = await client
      .post(`${base}/submissions/${sent.body().submission.id}/status`)
      .json({ status: 'accepted' })
      .loginAs(operator)
    accepted.assertStatus(200)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/iscritti`)
      const row = page.getByRole('row').filter({ hasText: 'Trasporto' })
      await row.getByRole('link').first().click()
      const fee = page.getByTestId('enrolment-tariff')
      await fee.waitFor()
      assert.match((await fee.textContent()) ?? '', /^€ \d+,\d{2}$/)
      assert.equal(await page.getByTestId('enrolment-tariff-unit').textContent(), 'al mese')
      // Why, in the family's words: the reasons and the amount with its unit, each said once.
      const explanation = page.getByTestId('enrolment-explanation')
      const lines = await explanation.getByRole('listitem').allTextContents()
      assert.isAbove(lines.length, 1)
      assert.equal(new Set(lines).size, lines.length)
      assert.match(lines.at(-1)!, /^Retta: € \d+,\d{2} al mese$/)
      const main = (await page.locator('main').textContent()) ?? ''
      for (const words of OPERATOR_WORDS) assert.notInclude(main, words)
      await snap(page, 'contract-02-enrolment')

      await page.getByRole('button', { name: /English/ }).click()
      await page.getByTestId('enrolment-tariff-unit').filter({ hasText: 'per month' }).waitFor()
      await explanation
        .getByRole('listitem')
        .filter({ hasText: /^Fee: €\d+\.\d{2} per month$/ })
        .waitFor()
      assert.notInclude((await explanation.textContent()) ?? '', 'al mese')
      assert.deepEqual(await seriousViolations(page), [], 'enrolment with its fee: axe violations')
    } finally {
      await close()
    }
  })

  test('a second canteen application for an enrolled child is refused, with the message at the child’s field', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, base, sample } = await citizenWithApplications(client)
    // The world's accepted application is the sample's child: a new draft for the same child.
    const again = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    again.assertStatus(201)
    const id = again.body().submission.id as number
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${id}`)
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia', exact: true }).click()
      const refusal = page.getByTestId('duplicate-refusal')
      await refusal.waitFor()
      assert.include(await refusal.textContent(), 'Iscrizione già presente')
      assert.include(await refusal.textContent(), 'esiste già')
      assert.include(await refusal.textContent(), 'non se ne può presentare un')
      // Nothing was sent.
      const still = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      assert.equal(still.body().submission.status, 'draft')
      // The message sits at the child's codice fiscale, on its step.
      await goToStep(page, 'Studente e domicilio')
      const field = page
        .locator('.form-group')
        .filter({ has: page.locator('#root_student_fiscal_code') })
        .last()
      await field.getByText(/esiste già/).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'refused duplicate: axe violations')
      await snap(page, 'contract-03-duplicate-field')
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia', exact: true }).click()
      await refusal.getByRole('link').click()
      await page.getByRole('heading', { name: 'I miei iscritti', level: 1 }).waitFor()
    } finally {
      await close()
    }
  })

  test('a second Edugate application for the same child is sent with the warning: the office decides', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, base, sample } = await serviceWorld('nidi', EDUGATE)
    const first = await client.post(`${base}/forms/${EDUGATE}/submit`).json({ data: sample }).loginAs(citizen)
    first.assertStatus(201)
    assert.notProperty(first.body(), 'warnings')
    const again = await client.post(`${base}/forms/${EDUGATE}/submissions`).json({ data: sample }).loginAs(citizen)
    again.assertStatus(201)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${EDUGATE}?bozza=${again.body().submission.id}`)
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia', exact: true }).click()
      await page.getByRole('heading', { name: 'Domanda inviata', level: 1 }).waitFor()
      const warnings = page.getByTestId('receipt-warnings')
      assert.include(await warnings.textContent(), `la domanda n. ${first.body().submission.id}`)
      assert.include(await warnings.textContent(), "l'ufficio deciderà quale vale")
      assert.deepEqual(await seriousViolations(page), [], 'receipt with warnings: axe violations')
      await snap(page, 'contract-04-warning')
      await jobQueue().drained()
    } finally {
      await close()
    }
  })
})
