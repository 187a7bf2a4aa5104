import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { jobQueue } from '#queue/queue_factory'
import { registerWebRoutes } from '#start/routes/web'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { openBrowser, seriousViolations, snap, logIn } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

test.group('Portale cittadino: i miei iscritti', (group) => {
  // Requests from the browser are served in this process, inside the same global transaction.
  group.each.setup(() => transactionWithJobs())

  test('a citizen opens an enrolled child and reads school, ISEE, fee and how it was computed', async ({
    assert,
    client,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    // A resident only child with ISEE 5,000.00: Allegato D, band "Ridotta", 3,43 a meal.
    const data = { ...sample, isee_choice: 'declared', isee_value: 5000, inps_protocol: 'INPS-ISEE-2026-00555555C-00' }
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(citizen)
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

      await page.getByRole('link', { name: 'I miei iscritti' }).click()
      await page.getByRole('heading', { name: 'I miei iscritti', level: 1 }).waitFor()
      const row = page.getByRole('row').filter({ hasText: 'Giulia Rossi' })
      await row.waitFor()
      assert.include(await row.textContent(), 'Refezione scolastica')
      assert.include(await row.textContent(), '€ 3,43')
      assert.deepEqual(await seriousViolations(page), [], 'enrolments list: serious/critical axe violations')
      await snap(page, 'enr-01-list-390')

      await row.getByRole('link', { name: 'Giulia Rossi' }).click()
      await page.getByRole('heading', { name: 'Giulia Rossi', level: 1 }).waitFor()
      const section = (name: string) => page.getByRole('region', { name })
      assert.include(await section('Dati del bambino').textContent(), 'STTSGT90A01H501J')
      const school = await section('Scuola e classe').textContent()
      assert.include(school, 'Scuola primaria')
      assert.include(school, 'Scuola primaria Alberoni')
      const isee = await section('ISEE dichiarato').textContent()
      // Amounts are grouped as the call prints them (CLDR's Italian would write 5000,00).
      assert.include(isee, '€ 5.000,00')
      assert.include(isee, 'INPS-ISEE-2026-00555555C-00')
      assert.equal(await page.getByTestId('enrolment-tariff').textContent(), '€ 3,43')
      // How the fee came about, in the family's words: the band and the amount, never the operator's trace.
      const explanation = page.getByTestId('enrolment-explanation')
      assert.isAbove(await explanation.getByRole('listitem').count(), 1)
      assert.include(await explanation.textContent(), 'Ridotta')
      const text = (await page.locator('main').textContent()) ?? ''
      for (const operatorWords of ['ROUND_HALF_UP', 'arrotondamento', 'colonna', 'in vigore dal', 'refezione.tariffa'])
        assert.notInclude(text, operatorWords)
      assert.include(await section('Dieta speciale').textContent(), 'Nessuna dieta speciale')
      assert.deepEqual(await seriousViolations(page), [], 'enrolment page: serious/critical axe violations')
      await snap(page, 'enr-02-detail-390')
      if (process.env.SCREENSHOT_DIR) {
        await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/enr-02-detail-390-full.png`, fullPage: true })
      }

      // The same page in English, and on a desktop screen.
      await page.getByRole('button', { name: /English/ }).click()
      await page.getByRole('heading', { name: 'Declared ISEE' }).waitFor()
      await page.getByRole('heading', { name: 'How it was computed' }).waitFor()
      // Headings switch at once; the data follow with the English answer of the API.
      await section('School and class').getByText('Primary school').waitFor()
      await page.setViewportSize({ width: 1280, height: 900 })
      await snap(page, 'enr-03-detail-desktop-en')
      if (process.env.SCREENSHOT_DIR) {
        await page.screenshot({
          path: `${process.env.SCREENSHOT_DIR}/enr-03-detail-desktop-en-full.png`,
          fullPage: true,
        })
      }
    } finally {
      await close()
    }
  })
})
