import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { DateTime } from 'luxon'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import Tenant from '#models/tenant'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { RequestContext } from '#services/infrastructure/request_context'
import { storeUpload } from '#services/submissions/attachment_service'
import { findCurrentForm } from '#services/definitions/form_service'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, goToStep, LAPTOP, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

const ANNA = `BNCNNA80A41G535${codiceFiscaleCheckChar('BNCNNA80A41G535')}`

test.group('Back office: the operator files an application at the counter', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the citizen is added by codice fiscale, the form filled on their behalf and sent late', async ({
    assert,
    client,
  }) => {
    const { tenant, operator, base, sample } = await refezioneTenant()
    // The canteen's enrolment closed yesterday: only the counter can still take an application.
    await RequestContext.asSystem('test', async () => {
      const row = await Tenant.findOrFail(tenant.id)
      const yesterday = DateTime.now().setZone('Europe/Rome').minus({ days: 1 }).toISODate()
      row.settings = { ...row.settings, enrolment: { [FORM]: { closes: yesterday } } }
      await row.save()
    })

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Sportello' }).click()
      await page.getByRole('heading', { name: 'Sportello: domanda per conto del cittadino', level: 1 }).waitFor()

      // A wrong code is said at the field; an unknown one offers to add the person.
      await page.getByLabel('Codice fiscale').fill('BNCNNA80A41G535X')
      await page.getByRole('button', { name: 'Cerca il cittadino' }).click()
      await page.getByText('Scrivi un codice fiscale di 16 caratteri valido').waitFor()
      await page.getByLabel('Codice fiscale').fill(ANNA.toLowerCase())
      await page.getByRole('button', { name: 'Cerca il cittadino' }).click()
      const adding = page.getByTestId('counter-new')
      await adding.waitFor()
      assert.include(await adding.textContent(), ANNA)
      await adding.getByRole('button', { name: 'Inserisci il cittadino' }).click()
      await adding.getByText('Scrivi nome e cognome').waitFor()
      await adding.getByText('Scrivi un indirizzo email valido').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'counter, new person: axe violations')
      await snap(page, 'backoffice-counter-new-laptop')
      await adding.getByLabel('Nome e cognome').fill('Anna Bianchi')
      await adding.getByLabel('Email').fill('anna.bianchi@example.it')
      await adding.getByRole('button', { name: 'Inserisci il cittadino' }).click()
      const person = page.getByTestId('counter-citizen')
      await person.getByRole('heading', { name: 'Anna Bianchi' }).waitFor()
      await person.getByText(/si può presentare fuori termine/).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'counter, citizen found: axe violations')
      await snap(page, 'backoffice-counter-citizen-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-counter-citizen-tablet')
      await page.setViewportSize(LAPTOP)

      // The same form as the citizen's, on their behalf; closed, but the counter may file late.
      await person.getByRole('link', { name: 'Iscrizione alla refezione scolastica' }).click()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica', level: 1 }).waitFor()
      assert.include(await page.getByTestId('on-behalf').textContent(), `Anna Bianchi (${ANNA})`)
      await page.getByTestId('late-filing').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'counter form: axe violations')
      await snap(page, 'backoffice-counter-form-laptop')
      await page.getByRole('button', { name: 'Salva bozza' }).first().click()
      await page.getByText('Bozza salvata.').waitFor()
      const drafts = await client.get(`${base}/inbox`).loginAs(operator)
      assert.equal(drafts.body().total, 0, 'a draft is not in the inbox')
      const anna = (await client.get(`${base}/counter/citizens`).qs({ fiscal_code: ANNA }).loginAs(operator)).body()
        .citizen
      const listed = await client.get(`${base}/submissions`).loginAs(operator)
      const draft = listed.body().submissions.find((s: { applicantUserId: number }) => s.applicantUserId === anna.id)
      assert.deepInclude(draft, { status: 'draft', submittedByUserId: operator.id, onBehalf: true })

      // The rest typed in (as the citizen's own form is, tested elsewhere), with the document scanned here.
      const identity = await RequestContext.withTenant(tenant.ref, async () =>
        storeUpload({
          tenantId: tenant.id,
          userId: operator.id,
          form: (await findCurrentForm(FORM))!.definition,
          field: '/identity_document',
          fileName: 'documento.pdf',
          bytes: Buffer.from('%PDF-1.4\n% documento allo sportello\n%%EOF\n'),
          lang: 'it',
        })
      )
      ;(
        await client
          .put(`${base}/submissions/${draft.id}`)
          .json({ data: { ...sample, identity_document: identity.reference } })
          .loginAs(operator)
      ).assertStatus(200)
      // Opened afresh (a new visit to the counter), so the page reads the draft as it is now.
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/sportello/${anna.id}/${FORM}?bozza=${draft.id}`)
      await page.reload()
      await page.getByTestId('on-behalf').waitFor()
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia', exact: true }).click()
      await page.getByRole('heading', { name: `Domanda n. ${draft.id}`, level: 1 }).waitFor()
      await page.getByText('Presentata allo sportello per conto del cittadino').waitFor()
      assert.include(await page.getByTestId('review-history').textContent(), 'fuori termine')
      await jobQueue().drained()
    } finally {
      await close()
    }
  })
})
