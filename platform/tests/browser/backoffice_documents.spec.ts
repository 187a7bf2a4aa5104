import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { findCurrentForm } from '#services/definitions/form_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { storeUpload } from '#services/submissions/attachment_service'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { LAPTOP, TABLET, baseUrl, logInStaff, openBrowser, seriousViolations, snap } from './portal.js'
import { makeUser, transactionWithJobs } from '../helpers/world.js'
import Tenant from '#models/tenant'
import { DateTime } from 'luxon'

registerWebRoutes(router)

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
// A 1×1 PNG, so the preview has a real image to show.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64'
)

test.group('Back office: the documents of a child', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the certificate of an accepted application is in the child documents; a document uploaded, previewed, downloaded and deleted with a reason', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const certificate = await RequestContext.withTenant(tenant.ref, async () =>
      storeUpload({
        tenantId: tenant.id,
        userId: citizen.id,
        form: (await findCurrentForm(FORM))!.definition,
        field: '/medical_certificate',
        fileName: 'certificato_medico.pdf',
        bytes: PDF,
        lang: 'it',
      })
    )
    const dietForm = await RequestContext.withTenant(tenant.ref, async () =>
      storeUpload({
        tenantId: tenant.id,
        userId: citizen.id,
        form: (await findCurrentForm(FORM))!.definition,
        field: '/medical_diet_form',
        fileName: 'modulo_dieta.pdf',
        bytes: PDF,
        lang: 'it',
      })
    )
    const sent = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({
        data: {
          ...sample,
          special_diet: true,
          diet_type: 'medical',
          medical_diet_form: dietForm.reference,
          medical_certificate: certificate.reference,
        },
      })
      .loginAs(citizen)
    sent.assertStatus(201)
    await jobQueue().drained()
    ;(
      await client
        .post(`${base}/submissions/${sent.body().submission.id}/status`)
        .json({ status: 'accepted' })
        .loginAs(operator)
    ).assertStatus(200)
    const student = sample.student as { first_name: string; last_name: string; fiscal_code: string }
    const person = await client
      .post(`${base}/people`)
      .json({
        kind: 'child',
        first_name: student.first_name,
        last_name: student.last_name,
        fiscal_code: student.fiscal_code,
      })
      .loginAs(operator)
    person.assertStatus(201)

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      // From the register's row to the child's documents: the certificates filed on acceptance.
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/iscritti`)
      await page.getByTestId('register-table').waitFor()
      await page
        .getByRole('link', { name: /^Documenti/ })
        .first()
        .click()
      const section = page.locator('#documenti')
      await section.getByRole('heading', { name: 'Documenti', level: 2 }).waitFor()
      await section.getByText(/certificato_medico\.pdf ·/).waitFor()
      assert.equal(await section.getByRole('heading', { name: 'Certificato per dieta medica' }).count(), 2)
      // Its expiry recorded afterwards: flagged as expiring.
      const filed = section.locator('li', { hasText: 'certificato_medico.pdf' })
      await filed.getByTestId('document-edit').click()
      const soon = DateTime.now().setZone('Europe/Rome').plus({ days: 7 })
      await filed.getByLabel('Data di scadenza').fill(soon.toISODate()!)
      await filed.getByRole('button', { name: 'Salva le modifiche' }).click()
      await page.getByTestId('documents-status').getByText('Documento certificato_medico.pdf aggiornato.').waitFor()
      await filed.getByText(`In scadenza il ${soon.toFormat('dd/MM/yyyy')}`).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'register entry documents: axe violations')

      // On the child's page: an expired identity document uploaded, flagged, previewed, downloaded.
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/persone/${person.body().person.id}`)
      const upload = page.getByTestId('documents-upload')
      await upload.waitFor()
      await upload.getByLabel('Tipo di documento').selectOption('identity')
      await upload.getByLabel('File').setInputFiles({ name: 'carta identità.png', mimeType: 'image/png', buffer: PNG })
      await upload.getByRole('button', { name: 'Carica il documento' }).click()
      // No expiry: said at its field.
      await upload.getByText('Un documento di identità ha una scadenza').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'upload refused: axe violations')
      await upload.getByLabel('Data di scadenza').fill('2020-05-31')
      await upload.getByLabel('Note').fill('Carta scaduta, chiesta la nuova')
      await upload.getByRole('button', { name: 'Carica il documento' }).click()
      await page.getByTestId('documents-status').getByText('Documento carta identità.png caricato.').waitFor()
      const card = page.getByTestId('documents-list').locator('li', { hasText: 'carta identità.png' })
      assert.equal(await card.getByTestId('document-validity').textContent(), 'Scaduto il 31/05/2020')
      // The image is shown in the page, from the inline answer.
      const image = card.getByRole('img', { name: 'Anteprima di carta identità.png' })
      await image.waitFor()
      // Decoded first: the element is in the page before the image has arrived.
      const width = await image.evaluate((img) => {
        const element = img as unknown as { decode(): Promise<void>; naturalWidth: number }
        return element.decode().then(() => element.naturalWidth)
      })
      assert.isAbove(width, 0)
      const href = await card.getByTestId('document-open').getAttribute('href')
      const inline = await page.request.get(`${baseUrl()}${href}`)
      assert.equal(inline.status(), 200)
      assert.equal(inline.headers()['content-type'], 'image/png')
      assert.match(
        inline.headers()['content-disposition'],
        /^inline; filename="carta identita.png"; filename\*=UTF-8''/
      )
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        card.getByTestId('document-download').click(),
      ])
      assert.equal(download.suggestedFilename(), 'carta identità.png')
      assert.deepEqual(await seriousViolations(page), [], 'person documents: axe violations')
      await snap(page, 'backoffice-documents-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-documents-tablet')
      await page.setViewportSize(LAPTOP)

      // Deleted with a reason, asked for first.
      await card.getByTestId('document-delete').click()
      await card.getByRole('button', { name: 'Elimina il documento' }).click()
      await card.getByText('Scrivi perché il documento viene eliminato').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'delete refused: axe violations')
      await card.getByLabel('Motivo dell’eliminazione').fill('Sostituito dal documento nuovo')
      await card.getByRole('button', { name: 'Elimina il documento' }).click()
      await page.getByTestId('documents-status').getByText('Documento carta identità.png eliminato.').waitFor()
      // The list is read again after the deletion: the card leaves it.
      await page
        .getByTestId('documents-list')
        .locator('li', { hasText: 'carta identità.png' })
        .waitFor({ state: 'detached' })
      const gone = await page.request.get(`${baseUrl()}${href}`)
      assert.equal(gone.status(), 404)
    } finally {
      await close()
    }
  }).timeout(120_000)

  test('the retention of documents per type is a tenant setting: a wrong number refused at its field, then saved', async ({
    assert,
  }) => {
    const { tenant } = await refezioneTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, admin.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/impostazioni`)
      const block = page.getByTestId('settings-documents')
      const l104 = block.getByLabel('Certificazione L. 104/92')
      await l104.waitFor()
      assert.equal(await l104.getAttribute('placeholder'), '1825')
      await l104.fill('0')
      await page.getByRole('button', { name: 'Salva' }).click()
      await page.waitForFunction(
        () =>
          document.querySelector('#setting-settings-documents-retention-days-l104')?.getAttribute('aria-invalid') ===
          'true'
      )
      assert.deepEqual(await seriousViolations(page), [], 'settings, documents refused: axe violations')
      await l104.fill('730')
      await page.getByRole('button', { name: 'Salva' }).click()
      await page.getByTestId('settings-saved').waitFor()
      const stored = (await Tenant.findOrFail(tenant.id)).settings
      assert.deepEqual(stored.documents, { retention_days: { l104: 730 } })
    } finally {
      await close()
    }
  })
})
