/**
 * How the portal renders the parts of the API contract that carry words for families: the fee's
 * unit and summary, the enrolment's fee summary, a refused duplicate and an accepted submission
 * with warnings. The answers are given here in the contract's shape (typed by the shared module),
 * so these tests hold the portal to the contract whatever the server answers today.
 */
import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import type { Page } from 'playwright-core'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import type { ApiErrorBody, EnrolmentDetailDto, EvaluationDto, FeeSummary, SubmissionAnswer } from '#shared/contract'
import { FORM } from '#tests/functional/forms/world'
import { baseUrl, goToStep, logIn, openBrowser, seriousViolations } from './portal.js'
import { citizenWithApplications } from './portal_world.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

const SUMMARY: Record<'it' | 'en', FeeSummary> = {
  it: {
    band: 'Ridotta',
    reasons: ['ISEE di € 8.500,50: fascia ridotta', 'Secondo figlio iscritto: riduzione del 20%'],
    amount: '39.03',
    unit: 'month',
    exempt: false,
    text: 'Con i dati inseriti la retta è di € 39,03 al mese.',
  },
  en: {
    band: 'Reduced',
    reasons: ['ISEE of €8,500.50: reduced band', 'Second child enrolled: 20% off'],
    amount: '39.03',
    unit: 'month',
    exempt: false,
    text: 'With the data entered the fee is €39.03 per month.',
  },
}

const langOf = (header: string | undefined) => (header?.startsWith('en') ? 'en' : 'it')

/** The rule set's answer as the contract gives it: outputs, units, a summary in the request's language. */
async function answerFees(page: Page) {
  await page.route('**/api/v1/t/*/rulesets/*/evaluate', async (route) => {
    const lang = langOf(route.request().headers()['accept-language'])
    const body: EvaluationDto = {
      ruleset: 'trasporto.tariffa',
      version: 1,
      at: '2026-09-01',
      result: { amount: '39.03', band: 'ridotta', exempt: false },
      trace: [{ step: 'amount', message: 'amount = 39,03 € (ROUND_HALF_UP)' }],
      units: { amount: 'month' },
      summary: SUMMARY[lang],
    }
    await route.fulfill({ json: body })
  })
}

test.group('Portale cittadino: il contratto con il server, come lo leggono le famiglie', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the live fee prints the unit the rule set names and the summary, in the reader’s language', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, ids } = await citizenWithApplications(client)
    const { page, close } = await openBrowser()
    try {
      await answerFees(page)
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${ids.draft}`)
      const amount = page.getByTestId('tariff-amount')
      await amount.filter({ hasText: '€ 39,03' }).waitFor()
      assert.equal(await page.getByTestId('tariff-amount-unit').textContent(), 'al mese')
      assert.equal(await page.getByTestId('tariff-band').textContent(), 'Ridotta')
      const why = page.getByTestId('tariff-summary')
      // On a phone the bar keeps to the amount; the reasons are read beside the form on a wide screen.
      await page.setViewportSize({ width: 1366, height: 900 })
      assert.include(await why.textContent(), 'Secondo figlio iscritto: riduzione del 20%')
      assert.include(await why.textContent(), SUMMARY.it.text)
      assert.notInclude(await page.getByTestId('tariff-box').textContent(), 'a pasto')
      assert.notInclude(await page.getByTestId('tariff-box').textContent(), 'ROUND_HALF_UP')

      await page.getByRole('button', { name: /English/ }).click()
      await amount.filter({ hasText: '€39.03' }).waitFor()
      assert.equal(await page.getByTestId('tariff-amount-unit').textContent(), 'per month')
      assert.equal(await page.getByTestId('tariff-band').textContent(), 'Reduced')
      assert.include(await why.textContent(), 'Second child enrolled')
      assert.deepEqual(await seriousViolations(page), [], 'form with the fee summary: axe violations')
    } finally {
      await close()
    }
  })

  test('the enrolled child’s fee is its summary with the unit, never the trace', async ({ assert, client }) => {
    const { citizen } = await citizenWithApplications(client)
    const { page, close } = await openBrowser()
    try {
      await page.route('**/api/v1/t/*/enrolments/*', async (route) => {
        const response = await route.fetch()
        const body = (await response.json()) as { enrolment: EnrolmentDetailDto }
        const lang = langOf(route.request().headers()['accept-language'])
        body.enrolment.tariff = { ...body.enrolment.tariff, unit: 'month', summary: SUMMARY[lang] }
        await route.fulfill({ response, json: body })
      })
      await logIn(page, citizen.email)
      await page.getByRole('link', { name: 'I miei iscritti' }).click()
      await page.getByRole('link', { name: 'Giulia Rossi' }).click()
      await page.getByRole('heading', { name: 'Giulia Rossi', level: 1 }).waitFor()
      const explanation = page.getByTestId('enrolment-explanation')
      await explanation.filter({ hasText: 'Secondo figlio iscritto' }).waitFor()
      assert.include(await explanation.textContent(), 'Retta: € 39,03 al mese')
      assert.equal(await page.getByTestId('enrolment-tariff').textContent(), '€ 39,03')
      assert.equal(await page.getByTestId('enrolment-tariff-unit').textContent(), 'al mese')
      assert.include(await page.getByTestId('enrolment-summary-text').textContent(), SUMMARY.it.text)
      const main = (await page.locator('main').textContent()) ?? ''
      for (const operatorWords of ['ROUND_HALF_UP', 'arrotondamento', 'colonna']) assert.notInclude(main, operatorWords)

      await page.getByRole('button', { name: /English/ }).click()
      await explanation.filter({ hasText: 'Second child enrolled' }).waitFor()
      assert.include(await explanation.textContent(), 'Fee: €39.03 per month')
      assert.include(await explanation.textContent(), 'Band: Reduced')
    } finally {
      await close()
    }
  })

  test('a second enrolment refused by the server reads as such, with the way to the enrolled children', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, ids } = await citizenWithApplications(client)
    const message = 'Giulia Rossi è già iscritta alla refezione per l’anno scolastico 2026/2027.'
    const { page, close } = await openBrowser()
    try {
      await page.route('**/api/v1/t/*/submissions/*/submit', async (route) => {
        const body: ApiErrorBody = { errors: [{ path: '', rule: 'duplicate:enrolment', message }] }
        await route.fulfill({ status: 422, json: body })
      })
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${ids.draft}`)
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      const refusal = page.getByTestId('duplicate-refusal')
      await refusal.waitFor()
      assert.include(await refusal.textContent(), 'Iscrizione già presente')
      assert.include(await refusal.textContent(), message)
      await refusal.getByRole('link').click()
      await page.getByRole('heading', { name: 'I miei iscritti', level: 1 }).waitFor()
    } finally {
      await close()
    }
  })

  test('an application accepted with warnings says so on the receipt: staff will decide', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, ids } = await citizenWithApplications(client)
    const warning = 'Per questo bambino risulta già un’iscrizione accolta: gli uffici valuteranno la domanda.'
    const { page, close } = await openBrowser()
    try {
      await page.route('**/api/v1/t/*/submissions/*/submit', async (route) => {
        const response = await route.fetch()
        const body = (await response.json()) as SubmissionAnswer
        body.warnings = [{ rule: 'duplicate:enrolment', message: warning }]
        await route.fulfill({ response, json: body })
      })
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${ids.draft}`)
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      await page.getByRole('heading', { name: 'Domanda inviata', level: 1 }).waitFor()
      const warnings = page.getByTestId('receipt-warnings')
      assert.include(await warnings.textContent(), warning)
      assert.include(await warnings.textContent(), 'Gli uffici valuteranno')
      assert.deepEqual(await seriousViolations(page), [], 'receipt with warnings: axe violations')
      await jobQueue().drained()
    } finally {
      await close()
    }
  })
})
