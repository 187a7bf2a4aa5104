import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { baseUrl, goToStep, openBrowser, seriousViolations, snap, snapWide } from './portal.js'
import { captureMailEachTest } from '../helpers/smtp.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

const SIBLINGS_MISSING = 'Hai indicato che altri figli frequentano il servizio'

/** A small, real PDF: the scan of an identity document as a citizen would attach it. */
async function identityPdf() {
  const pdf = await PDFDocument.create()
  const page = pdf.addPage([420, 260])
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  page.drawText("CARTA D'IDENTITÀ – Mario Rossi", { x: 24, y: 200, size: 16, font })
  return Buffer.from(await pdf.save())
}

test.group('Portale cittadino: iscrizione alla refezione', (group) => {
  // Requests from the browser are served in this process, inside the same global transaction.
  // The protocol job of the submission ends before its transaction is rolled back.
  group.each.setup(() => transactionWithJobs())
  const mails = captureMailEachTest(group)

  test('a citizen resumes a draft, fixes a BLOCCO, sees the fee and submits', async ({ assert, client }) => {
    const { citizen, base, sample, tenant } = await refezioneTenant()
    // The identity document is attached in the browser, through the upload control.
    delete sample.identity_document
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
      await goToStep(page, 'Famiglia')
      await page
        .locator('.rjsf-field-boolean')
        .filter({ hasText: 'Altri figli frequentano la mensa' })
        .getByLabel('Sì', { exact: true })
        .check()
      const siblingsField = page
        .locator('.rjsf-field-array')
        .filter({ hasText: 'Altri figli che frequentano il servizio' })
      await siblingsField.getByText(SIBLINGS_MISSING).waitFor()
      // A radio group is a fieldset named by its legend, not a <label for> on the group's container.
      const siblingsQuestion = page.locator('fieldset.radio-fieldset').filter({ hasText: 'Altri figli frequentano' })
      await siblingsQuestion.locator('legend', { hasText: 'Altri figli frequentano la mensa' }).waitFor()
      assert.equal(await page.locator('label[for="root_has_siblings"]').count(), 0)
      assert.deepEqual(await seriousViolations(page), [], 'form page: serious/critical axe violations')
      await snap(page, '03-blocco')

      // Sending anyway (from the summary, the last step): the server refuses with the same rule,
      // in the error summary and at the field.
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      const summary = page.getByTestId('error-summary')
      await summary.waitFor()
      assert.include(await summary.textContent(), SIBLINGS_MISSING)
      // Each error names its field and leads to it, without leaving the page.
      const fieldLink = summary.getByRole('link', { name: 'Altri figli che frequentano il servizio' })
      const route = page.url()
      await fieldLink.click()
      assert.equal(page.url(), route)
      await snap(page, '04-errori-server')

      await siblingsField.getByRole('button', { name: 'Aggiungi fratello o sorella', exact: true }).click()
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

      // The fee on screen, as a PDF: the same amount in Italian format, with its band.
      const onScreen = /€ (\d+,\d{2})/.exec((await amount.textContent()) ?? '')![1]
      const band = (await page.getByTestId('tariff-band').textContent())!
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tariff-pdf').click()])
      const tariffLines = await pdfTextLines(await readFile((await download.path())!))
      assert.include(tariffLines, `${onScreen} €`)
      assert.include(tariffLines, band.charAt(0).toUpperCase() + band.slice(1))

      // The identity document: a file that is not a PDF whatever its name is refused, at the field.
      await goToStep(page, 'Dichiarazioni e documento')
      const upload = page.getByTestId('upload-identity_document')
      const fileInput = upload.locator('input[type=file]')
      await fileInput.setInputFiles({
        name: 'documento.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('MZ\x90 not a pdf'),
      })
      // Named as kinds of file a person knows, not MIME types.
      await upload.getByTestId('upload-error').getByText('Questo file non è un PDF, JPEG o PNG').waitFor()
      // Too big (5 MB at most for this field): the server answers 413, shown in Italian.
      await fileInput.setInputFiles({
        name: 'scansione.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5 * 1024 * 1024 + 10, 0x20)]),
      })
      await upload.getByTestId('upload-error').getByText('Il file supera 5 MB.').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'upload refused: serious/critical axe violations')
      await upload.scrollIntoViewIfNeeded()
      await snap(page, '05c-upload-rifiutato')

      const document = await identityPdf()
      const link = upload.getByTestId('attachment-link')
      // A wrong file attached first is removed, then the right one attached.
      await fileInput.setInputFiles({ name: 'altro.pdf', mimeType: 'application/pdf', buffer: await identityPdf() })
      await link.filter({ hasText: 'altro.pdf' }).waitFor()
      await upload.getByRole('button', { name: /^Rimuovi/ }).click()
      await upload.getByText('Nessun file allegato.').waitFor()
      await fileInput.setInputFiles({ name: 'carta_identita.pdf', mimeType: 'application/pdf', buffer: document })
      await link.filter({ hasText: 'carta_identita.pdf' }).waitFor()
      assert.include(await link.textContent(), 'carta_identita.pdf')
      assert.equal(await upload.getByTestId('upload-error').count(), 0)
      const stored = await page.request.get(`${baseUrl()}${await link.getAttribute('href')}`)
      assert.equal(stored.status(), 200)
      assert.deepEqual(await stored.body(), document)
      await upload.getByRole('button', { name: /^Sostituisci/ }).waitFor()
      await upload.scrollIntoViewIfNeeded()
      await snap(page, '05d-upload')
      await snapWide(page, '05e-upload-desktop', upload)
      await snapWide(page, '05f-tariffa-desktop', page.getByTestId('tariff-box'))

      // English labels come from the definition's x-i18n; the data stays as entered.
      await page.getByRole('button', { name: /^EN/ }).click()
      await page.getByRole('heading', { name: 'School canteen enrolment' }).waitFor()
      await goToStep(page, 'Household')
      await page.getByText('Do other children of yours use the school canteen').waitFor()
      assert.equal(await page.locator('#root_siblings_0_first_name').inputValue(), 'Mattia')
      await snap(page, '05b-english')
      await page.getByRole('button', { name: /^IT/ }).click()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()

      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      await page.getByRole('heading', { name: 'Domanda inviata' }).waitFor()
      assert.equal(await page.getByTestId('receipt-id').textContent(), String(draftId))
      assert.include(['Inviata', 'Protocollata'], (await page.getByTestId('receipt-status').textContent()) ?? '')
      await snap(page, '06-ricevuta')

      // The protocol number shows up on this very page once the job has registered it.
      const protocol = page.getByTestId('receipt-protocol')
      await protocol.waitFor({ timeout: 20000 })
      const protocolNumber = (await protocol.textContent()) ?? ''
      assert.match(protocolNumber, new RegExp(`^${new Date().getFullYear()}/\\d{7}$`))
      assert.equal(await page.getByTestId('receipt-status').textContent(), 'Protocollata')
      assert.include(await page.getByTestId('protocol-state').textContent(), protocolNumber)
      assert.deepEqual(await seriousViolations(page), [], 'receipt: serious/critical axe violations')
      await snap(page, '06b-ricevuta-protocollo')
      await snapWide(page, '06c-ricevuta-desktop')

      // And the receipt went to the citizen by mail, with that number.
      await jobQueue().drained()
      assert.lengthOf(mails().received, 1)
      const mail = mails().received[0]
      assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : null, citizen.email)
      assert.include(mail.subject, protocolNumber)
      assert.equal(mail.attachments[0]?.contentType, 'application/pdf')

      // The receipt PDF link works with the citizen's own session.
      const href = await page.getByTestId('receipt-pdf').getAttribute('href')
      const pdf = await page.request.get(`${baseUrl()}${href}`)
      assert.equal(pdf.status(), 200)
      assert.equal(pdf.headers()['content-type'], 'application/pdf')
      assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-')

      // "Le mie domande" lists it with its status and protocol number.
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/domande`)
      const row = page.getByRole('row', { name: /Iscrizione alla refezione scolastica/ })
      await row.getByText(protocolNumber).waitFor()
      assert.include(await row.textContent(), 'Protocollata')

      const saved = await client.get(`${base}/submissions/${draftId}`).loginAs(citizen)
      assert.equal(saved.body().submission.status, 'protocolled')
      assert.lengthOf(saved.body().submission.data.siblings, 1)
      assert.equal(saved.body().submission.data.identity_document.file_name, 'carta_identita.pdf')
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
