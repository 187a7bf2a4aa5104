import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import ExcelJS from 'exceljs'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { makeUser } from '#tests/helpers/world'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, goToStep, LAPTOP, logIn, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

const CHILD = {
  first_name: 'Nicolò',
  last_name: 'Ferrari',
  fiscal_code: `FRRNCL17C04G535${codiceFiscaleCheckChar('FRRNCL17C04G535')}`,
  birth_date: '2017-03-04',
  birth_place: 'Piacenza',
}

test.group('Back office: the operator handles a canteen application with the citizen', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('found in the inbox, attachment opened, sent back with a reason, completed by the citizen, accepted', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    // Another application, so the search has something to leave out.
    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)).assertStatus(201)
    const sent = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: { ...sample, student: CHILD } })
      .loginAs(citizen)
    sent.assertStatus(201)
    const id: number = sent.body().submission.id
    await jobQueue().drained()

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      await nav.getByRole('link', { name: 'Domande ricevute' }).click()
      await page.getByRole('heading', { name: 'Domande ricevute', level: 1 }).waitFor()
      await page.getByTestId('inbox-table').waitFor()
      assert.equal((await page.getByTestId('count-protocolled').textContent())?.replace(/\D/g, ''), '2')
      assert.deepEqual(await seriousViolations(page), [], 'inbox: axe violations')
      await snap(page, 'backoffice-inbox-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-inbox-tablet')
      await page.setViewportSize(LAPTOP)

      // The operator looks the child up by name, accents aside.
      await page.getByLabel('Nome, cognome o codice fiscale').fill('nicolo ferrari')
      await page.getByRole('button', { name: 'Cerca' }).click()
      await page.getByTestId('inbox-table').locator('tbody tr').first().waitFor()
      await page.waitForFunction(`document.querySelectorAll('[data-testid="inbox-table"] tbody tr').length === 1`)
      assert.include(await page.getByTestId(`inbox-row-${id}`).textContent(), 'Nicolò Ferrari')
      await page.getByRole('link', { name: `Domanda n. ${id}` }).click()

      await page.getByRole('heading', { name: `Domanda n. ${id}`, level: 1 }).waitFor()
      assert.match((await page.getByTestId('review-protocol').textContent()) ?? '', /\d/)
      await page.getByTestId('review-form-version').waitFor()
      // The data under the labels of the form: the child's name under its own label.
      await page.getByRole('heading', { name: 'Studente e domicilio' }).waitFor()
      assert.include(await page.locator('#main').textContent(), 'Ferrari')

      // The attachment: opened in the browser (inline) and downloadable.
      const attachments = page.getByTestId('review-attachments')
      const open = attachments.getByRole('link', { name: /^Apri/ })
      const href = await open.getAttribute('href')
      assert.equal(await open.getAttribute('target'), '_blank')
      const inline = await page.request.get(`${baseUrl()}${href}`)
      assert.equal(inline.status(), 200)
      assert.equal(inline.headers()['content-type'], 'application/pdf')
      assert.match(inline.headers()['content-disposition'], /^inline;/)
      assert.include((await inline.body()).toString('latin1'), '%PDF')
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        attachments.getByRole('link', { name: /^Scarica/ }).click(),
      ])
      assert.equal(download.suggestedFilename(), 'carta_identita.pdf')
      assert.deepEqual(await seriousViolations(page), [], 'application: axe violations')
      await snap(page, 'backoffice-review-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-review-tablet')
      await page.setViewportSize(LAPTOP)

      // Sent back for completion: without a reason the request is not sent.
      await page.getByRole('button', { name: 'Chiedi di integrare' }).click()
      await page.getByRole('button', { name: 'Invia la richiesta di integrazione' }).click()
      await page.getByText('Scrivi il motivo: il cittadino lo leggerà nelle sue domande.').waitFor()
      const reason = 'La sezione indicata non esiste in quella classe: indica la sezione A e invia di nuovo.'
      await page.getByLabel('Motivo (lo legge il cittadino)').fill(reason)
      await page.getByRole('button', { name: 'Invia la richiesta di integrazione' }).click()
      await page.getByTestId('review-done').waitFor()
      assert.equal((await page.getByTestId('review-status').textContent())?.trim(), 'Da integrare')
      assert.include(await page.getByTestId('review-history').textContent(), reason)
      await page.getByRole('button', { name: 'Esci' }).click()

      // The citizen reads the reason among their applications, completes and sends again.
      await logIn(page, citizen.email)
      await page
        .getByRole('navigation', { name: 'Menu principale' })
        .getByRole('link', { name: 'Le mie domande' })
        .click()
      await page.getByTestId(`submission-${id}`).getByTestId('submission-reason').filter({ hasText: reason }).waitFor()
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/domande/${id}`)
      await page.getByRole('link', { name: 'Integra e invia di nuovo' }).click()
      await page.getByTestId('completion-reason').filter({ hasText: reason }).waitFor()
      await goToStep(page, 'Scuola')
      await page.getByLabel(/^Sezione\*?$/).selectOption({ label: 'A' })
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia la domanda integrata' }).click()
      await page.getByRole('heading', { name: 'Domanda inviata', level: 1 }).waitFor()
      await jobQueue().drained()
      await page.getByRole('button', { name: 'Esci' }).click()

      // The operator finds it protocolled again and accepts it.
      await logInStaff(page, operator.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/domande/${id}`)
      await page.getByRole('heading', { name: `Domanda n. ${id}`, level: 1 }).waitFor()
      await page.getByTestId('review-status').filter({ hasText: 'Protocollata' }).waitFor()
      // The history keeps the request and the new sending.
      assert.include(await page.getByTestId('review-history').textContent(), reason)
      await page.getByRole('button', { name: 'Accogli' }).click()
      await page.getByTestId('review-done').filter({ hasText: 'Domanda accolta.' }).waitFor()
      assert.equal((await page.getByTestId('review-status').textContent())?.trim(), 'Accolta')
      const enrolments = await client.get(`${base}/enrolments`).loginAs(operator)
      assert.include(
        enrolments.body().enrolments.map((e: { submissionId: number }) => e.submissionId),
        id
      )
      // Back in the inbox, the counts follow.
      await page.getByRole('link', { name: /Torna alle domande/ }).click()
      await page.getByTestId('count-accepted').filter({ hasText: '1' }).waitFor()

      // The child is in the register with the computed fee.
      const enrolment = enrolments.body().enrolments.find((e: { submissionId: number }) => e.submissionId === id) as {
        id: number
        tariff: { amount: string }
      }
      const computed = enrolment.tariff.amount.replace('.', ',')
      await nav.getByRole('link', { name: 'Registro iscritti' }).click()
      const row = page.getByTestId(`register-row-${enrolment.id}`)
      await row.waitFor()
      assert.include(await row.textContent(), 'Nicolò Ferrari')
      assert.include(await row.textContent(), `€ ${computed}`)
      assert.deepEqual(await seriousViolations(page), [], 'register: axe violations')
      await snap(page, 'backoffice-register-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-register-tablet')
      await page.setViewportSize(LAPTOP)

      // The operator sets the fee by hand, with the reason; the page says who and why.
      await row.getByRole('link', { name: 'Nicolò Ferrari' }).click()
      await page.getByRole('heading', { name: 'Nicolò Ferrari', level: 1 }).waitFor()
      assert.include(await page.getByTestId('entry-computed').textContent(), computed)
      await page.getByTestId('entry-override-none').waitFor()
      await page.getByRole('button', { name: 'Salva la tariffa' }).click()
      await page.getByText('Scrivi un importo in euro con al più due decimali, ad esempio 2.50.').waitFor()
      await page.getByLabel('Nuova tariffa in euro').fill('1,20')
      const why = 'Nucleo seguito dai servizi sociali: tariffa ridotta con determina 45/2026.'
      await page.getByLabel('Motivo', { exact: true }).fill(why)
      await page.getByRole('button', { name: 'Salva la tariffa' }).click()
      await page.getByTestId('override-done').waitFor()
      const override = page.getByTestId('entry-override')
      await override.filter({ hasText: '€ 1,20' }).waitFor()
      assert.include(await override.textContent(), operator.fullName)
      assert.include(await override.textContent(), why)
      assert.deepEqual(await seriousViolations(page), [], 'register entry: axe violations')
      await snap(page, 'backoffice-register-entry-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-register-entry-tablet')
      await page.setViewportSize(LAPTOP)
      await page.getByRole('link', { name: /Torna al registro/ }).click()
      await row.filter({ hasText: '€ 1,20' }).waitFor()
      assert.include(await row.textContent(), 'impostata a mano')

      // The register downloaded as a spreadsheet and read back: typed cells, Italian header.
      const [sheetFile] = await Promise.all([
        page.waitForEvent('download'),
        page
          .getByTestId('export-links')
          .getByRole('link', { name: /Foglio Excel/ })
          .click(),
      ])
      assert.match(sheetFile.suggestedFilename(), /^iscritti-\d{4}-\d{2}-\d{2}\.xlsx$/)
      const workbook = new ExcelJS.Workbook()
      await workbook.xlsx.readFile((await sheetFile.path())!)
      const sheet = workbook.worksheets[0]
      const header = (sheet.getRow(1).values as unknown[]).slice(1)
      assert.includeMembers(header, ['Bambino', 'Tariffa calcolata', 'Tariffa impostata a mano', 'Tariffa applicata'])
      assert.deepInclude(sheet.views[0], { state: 'frozen', ySplit: 1 })
      const line = sheet.getRow(2)
      const cell = (label: string) => line.getCell(header.indexOf(label) + 1)
      assert.equal(cell('Bambino').value, 'Nicolò Ferrari')
      assert.strictEqual(cell('Tariffa calcolata').value, Number(enrolment.tariff.amount))
      assert.strictEqual(cell('Tariffa applicata').value, 1.2)
      assert.match(cell('Tariffa applicata').numFmt, /0\.00/)
      assert.equal(cell('Data di nascita').type, ExcelJS.ValueType.Date)

      // The audit log keeps who and why.
      const admin = await makeUser(tenant, ['tenant_admin'])
      const audit = await client.get(`${base}/audit`).qs({ entity: 'enrolments' }).loginAs(admin)
      const entry = audit
        .body()
        .entries.find((e: { after: Record<string, unknown> | null }) => e.after?.feeOverrideAmount === '1.20')
      assert.exists(entry)
      assert.equal(entry.actorUserId, operator.id)
      assert.equal(entry.after.feeOverrideReason, why)
    } finally {
      await close()
    }
  })

  test('the operator narrows the inbox to one school, in Italian and in English', async ({ assert, client }) => {
    const { citizen, operator, base, sample, tenant } = await refezioneTenant()
    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)).assertStatus(201)
    const carducci = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: { ...sample, student: CHILD, school_id: 'pc-primaria-carducci', class_year: '1', section: 'A' } })
      .loginAs(citizen)
    carducci.assertStatus(201)
    const id: number = carducci.body().submission.id
    await jobQueue().drained()

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/domande`)
      await page.getByTestId('inbox-table').waitFor()
      await page.waitForFunction(`document.querySelectorAll('[data-testid="inbox-table"] tbody tr').length === 2`)
      await page.getByLabel('Scuola', { exact: true }).selectOption({ label: 'Scuola primaria Carducci' })
      await page.getByRole('button', { name: 'Cerca' }).click()
      await page.waitForFunction(`document.querySelectorAll('[data-testid="inbox-table"] tbody tr').length === 1`)
      assert.include(await page.getByTestId(`inbox-row-${id}`).textContent(), 'Nicolò Ferrari')
      assert.equal((await page.getByTestId('count-protocolled').textContent())?.replace(/\D/g, ''), '1')
      // The filter is in the address: the page read again keeps it chosen.
      assert.include(page.url(), 'school=pc-primaria-carducci')
      await page.reload()
      await page.getByTestId(`inbox-row-${id}`).waitFor()
      await page.waitForFunction(`document.querySelector('#inbox-school')?.value === 'pc-primaria-carducci'`)
      assert.deepEqual(await seriousViolations(page), [], 'inbox by school: axe violations')

      await page.getByRole('button', { name: /English/ }).click()
      const school = page.getByLabel('School', { exact: true })
      await school.waitFor()
      assert.equal(await school.inputValue(), 'pc-primaria-carducci')
      assert.include(await school.locator('option').first().textContent(), 'Every school')
      assert.equal(await page.locator('[data-testid="inbox-table"] tbody tr').count(), 1)
      assert.deepEqual(await seriousViolations(page), [], 'inbox by school in English: axe violations')
      await snap(page, 'backoffice-inbox-school')
    } finally {
      await close()
    }
  })

  test('school staff, kitchen and designers do not reach the inbox', async ({ assert }) => {
    const { tenant } = await refezioneTenant()
    const { page, close } = await openBrowser()
    try {
      for (const role of ['school_staff', 'kitchen', 'designer'] as const) {
        const user = await makeUser(tenant, [role])
        await logInStaff(page, user.email)
        const nav = page.getByRole('navigation', { name: 'Menu principale' })
        assert.notInclude(await nav.getByRole('link').allTextContents(), 'Domande ricevute')
        await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/domande`)
        await page.getByText('Questa pagina non è disponibile con il tuo ruolo in questo ente.').waitFor()
        assert.equal(await page.getByTestId('inbox-table').count(), 0)
        await page.getByRole('button', { name: 'Esci' }).click()
      }
    } finally {
      await close()
    }
  })
})
