import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, goToStep, logIn, openBrowser, seriousViolations } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

test.group('Portale cittadino: il riepilogo degli errori', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('each error names its field by its section, once, without repeating the label, and leads to it', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    // The parent's and the child's codice fiscale both wrong; the ISEE declared without its value.
    const data = {
      ...sample,
      payer: { ...(sample.payer as object), fiscal_code: 'RSSMRA85T10A562X' },
      student: { ...(sample.student as object), fiscal_code: 'STTSGT90A01H501X' },
      isee_choice: 'declared',
    }
    delete (data as Record<string, unknown>).isee_value
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data }).loginAs(citizen)
    draft.assertStatus(201)

    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${draft.body().submission.id}`)
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      const summary = page.getByTestId('error-summary')
      await summary.waitFor()
      const items = (await summary.getByRole('listitem').allTextContents()).map((t) => t.trim())

      // Two fields with the same label, two lines, each named by its section.
      const payer = items.filter((i) => i.startsWith('Genitore o tutore pagante — Codice fiscale:'))
      const student = items.filter((i) => i.startsWith('Studente da iscrivere — Codice fiscale:'))
      assert.lengthOf(payer, 1, items.join('\n'))
      assert.lengthOf(student, 1, items.join('\n'))
      // The label is said once, by the link; the message does not repeat it in «».
      for (const item of items) assert.notInclude(item, '«', item)
      const isee = items.find((i) => i.startsWith('Valore ISEE (euro):'))
      assert.isDefined(isee, items.join('\n'))
      assert.notInclude(isee!.slice('Valore ISEE (euro):'.length), 'Valore ISEE')
      // One line per error: no line is there twice.
      assert.equal(new Set(items).size, items.length)
      // The steps with something to fix say how much.
      assert.include(await page.getByTestId('form-steps').textContent(), 'da correggere')
      assert.deepEqual(await seriousViolations(page), [], 'error summary: axe violations')

      // The link leads to the child's codice fiscale, on its step, without changing the address.
      const address = page.url()
      await summary.getByRole('link', { name: 'Studente da iscrivere — Codice fiscale' }).click()
      await page.getByTestId('step-title').filter({ hasText: 'Studente e domicilio' }).waitFor()
      assert.equal(await page.evaluate('document.activeElement?.id'), 'root_student_fiscal_code')
      assert.equal(page.url(), address)
      // At the field, the message without the label the field already shows.
      const fieldErrors = await page
        .locator('#root_student_fiscal_code')
        .locator('xpath=ancestor::div[contains(@class,"form-group")][1]')
        .textContent()
      assert.notInclude(fieldErrors, '«')
    } finally {
      await close()
    }
  })

  test('a codice fiscale typed in lower case is kept in capitals', async ({ assert, client }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${draft.body().submission.id}`)
      await goToStep(page, 'Studente e domicilio')
      const input = page.locator('#root_student_fiscal_code')
      await input.fill('')
      await input.pressSequentially('sttsgt90a01h501j')
      assert.equal(await input.inputValue(), 'STTSGT90A01H501J')
      await page.getByRole('button', { name: 'Salva bozza' }).click()
      await page.getByText('Bozza salvata.').waitFor()
      const saved = await client.get(`${base}/submissions/${draft.body().submission.id}`).loginAs(citizen)
      assert.equal(saved.body().submission.data.student.fiscal_code, 'STTSGT90A01H501J')
    } finally {
      await close()
    }
  })

  test('a document asked only in some cases appears as soon as the answer asks for it', async ({ client }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${draft.body().submission.id}`)
      await goToStep(page, 'ISEE e condizioni particolari')
      await page
        .locator('fieldset.radio-fieldset')
        .filter({ hasText: 'disabilità certificata' })
        .getByLabel('Sì', { exact: true })
        .check()
      await page.getByTestId('upload-disability_104_certificate').waitFor()
    } finally {
      await close()
    }
  })
})
