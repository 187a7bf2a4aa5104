import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { FORM } from '#tests/functional/forms/world'
import { baseUrl, goToStep, logIn, openBrowser, seriousViolations } from './portal.js'
import { citizenWithApplications, DRAFT_CHILD, OTHER_CHILD } from './portal_world.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

test.group('Portale cittadino: stati delle domande, motivi, integrazione', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('each status reads in words and in its own colour; the reason of a rejection or a request shows', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, ids, reason } = await citizenWithApplications(client)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.getByRole('link', { name: 'Le mie domande' }).click()
      const row = (id: number) => page.getByTestId(`submission-${id}`)
      await row(ids.completing).waitFor()
      const badge = (id: number) => row(id).locator('.status-badge')
      const expected: Array<[number, string]> = [
        [ids.draft, 'Bozza'],
        [ids.protocolled, 'Protocollata'],
        [ids.completing, 'Da integrare'],
        [ids.rejected, 'Respinta'],
        [ids.accepted, 'Accolta'],
      ]
      const colours = new Set<string>()
      for (const [id, label] of expected) {
        assert.equal((await badge(id).textContent())?.trim(), label)
        colours.add((await badge(id).getAttribute('class'))!.match(/bg-\w+/)![0])
      }
      // Never a status code on screen.
      const text = (await page.locator('main').textContent()) ?? ''
      for (const raw of ['needs_completion', 'protocolled', 'rejected', 'accepted']) assert.notInclude(text, raw)
      // Draft, with the offices, to act on, accepted, rejected: five statuses, five colours less one
      // (sent and registered are both "with the offices").
      assert.equal(colours.size, 5)
      assert.include(await row(ids.completing).textContent(), reason)
      // Each names the child it is for: a family with several children tells them apart.
      assert.equal(await row(ids.rejected).getByTestId('submission-child').textContent(), 'Per Mattia Bianchi')
      assert.equal(await row(ids.accepted).getByTestId('submission-child').textContent(), 'Per Giulia Rossi')
      assert.include(await row(ids.rejected).textContent(), 'La scuola indicata non ha il servizio mensa')

      // The page of a rejected application says so; it never claims "Domanda inviata".
      await row(ids.rejected).getByRole('link').first().click()
      await page.getByRole('heading', { name: 'Domanda respinta', level: 1 }).waitFor()
      assert.include(await page.getByTestId('receipt-reason').textContent(), 'Motivo del rifiuto')
      assert.equal(await page.getByTestId('receipt-child').textContent(), 'Mattia Bianchi')
      assert.equal(await page.getByRole('heading', { name: 'Domanda inviata' }).count(), 0)
      assert.equal(await page.getByTestId('complete-submission').count(), 0)

      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/domande/${ids.accepted}`)
      await page.getByRole('heading', { name: 'Domanda accolta', level: 1 }).waitFor()
      assert.equal(await page.getByRole('heading', { name: 'Domanda inviata' }).count(), 0)
      assert.deepEqual(await seriousViolations(page), [], 'accepted application: axe violations')
    } finally {
      await close()
    }
  })

  test('an application sent back for completion is fixed and sent again from its page', async ({ assert, client }) => {
    const { tenant, citizen, ids, reason, base } = await citizenWithApplications(client)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/domande/${ids.completing}`)
      await page.getByRole('heading', { name: 'Domanda da integrare', level: 1 }).waitFor()
      assert.include(await page.getByTestId('receipt-reason').textContent(), reason)
      assert.equal((await page.getByTestId('receipt-status').textContent())?.trim(), 'Da integrare')
      assert.equal(await page.getByRole('heading', { name: 'Domanda inviata' }).count(), 0)

      await page.getByRole('link', { name: 'Integra e invia di nuovo' }).click()
      // The form opens with the data sent and the offices' request above it.
      await page.getByTestId('completion-reason').filter({ hasText: reason }).waitFor()
      await goToStep(page, 'Studente e domicilio')
      assert.equal(await page.locator('#root_student_first_name').inputValue(), OTHER_CHILD.first_name)
      assert.deepEqual(await seriousViolations(page), [], 'completion form: axe violations')
      await goToStep(page, 'Scuola')
      await page.getByLabel(/^Sezione\*?$/).selectOption({ label: 'A' })
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia la domanda integrata' }).click()

      await page.getByRole('heading', { name: 'Domanda inviata', level: 1 }).waitFor()
      assert.include(await page.getByTestId('receipt-sent').textContent(), 'integrata')
      assert.equal(await page.getByTestId('receipt-id').textContent(), String(ids.completing))
      await jobQueue().drained()
      const saved = await client.get(`${base}/submissions/${ids.completing}`).loginAs(citizen)
      assert.equal(saved.body().submission.data.section, 'A')
      assert.include(['submitted', 'protocolled'], saved.body().submission.status)
      assert.deepEqual(
        saved
          .body()
          .submission.history.map((h: { to: string }) => h.to)
          .slice(-3, -1),
        ['needs_completion', 'submitted']
      )
    } finally {
      await close()
    }
  })

  test('going from one application to another by its address shows the other one, without a reload', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, ids, sample, base } = await citizenWithApplications(client)
    const second = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: { ...sample, student: { ...OTHER_CHILD, first_name: 'Chiara' } } })
      .loginAs(citizen)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      const t = `${baseUrl()}/#/t/${tenant.slug}`
      // Receipts: one address, then the other, in the same page.
      await page.goto(`${t}/domande/${ids.rejected}`)
      await page
        .getByTestId('receipt-id')
        .filter({ hasText: String(ids.rejected) })
        .waitFor()
      const marker = await page.evaluate('window.marker = Math.random()')
      await page.goto(`${t}/domande/${ids.accepted}`)
      await page.getByRole('heading', { name: 'Domanda accolta', level: 1 }).waitFor()
      assert.equal(await page.getByTestId('receipt-id').textContent(), String(ids.accepted))
      // Drafts: each address shows its own data.
      await page.goto(`${t}/moduli/${FORM}?bozza=${ids.draft}`)
      await goToStep(page, 'Studente e domicilio')
      assert.equal(await page.locator('#root_student_first_name').inputValue(), DRAFT_CHILD.first_name)
      await page.goto(`${t}/moduli/${FORM}?bozza=${second.body().submission.id}`)
      await page.getByTestId('step-title').filter({ hasText: 'Chi presenta la domanda' }).waitFor()
      await goToStep(page, 'Studente e domicilio')
      assert.equal(await page.locator('#root_student_first_name').inputValue(), 'Chiara')
      // Enrolled children: the list, then one child.
      await page.goto(`${t}/iscritti`)
      await page.getByRole('link', { name: 'Giulia Rossi' }).click()
      await page.getByRole('heading', { name: 'Giulia Rossi', level: 1 }).waitFor()
      // All of it in one page: the marker set at the start is still there (no reload happened).
      assert.equal(await page.evaluate('window.marker'), marker)
    } finally {
      await close()
    }
  })
})
