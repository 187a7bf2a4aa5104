import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import db from '@adonisjs/lucid/services/db'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { FORM, forChild, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, LAPTOP, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Back office: the operator accepts a selection of applications', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('ticked in the inbox, accepted as a job with a progress bar, the one that could not be listed', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const ids: number[] = []
    for (let n = 0; n < 4; n++) {
      const sent = await client
        .post(`${base}/forms/${FORM}/submit`)
        .json({ data: forChild(sample, n) })
        .loginAs(citizen)
      sent.assertStatus(201)
      ids.push(sent.body().submission.id)
    }
    await jobQueue().drained()
    ;(
      await client
        .post(`${base}/submissions/${ids[0]}/status`)
        .json({ status: 'rejected', reason: 'Fuori termine' })
        .loginAs(operator)
    ).assertStatus(200)

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/domande`)
      await page.getByTestId('inbox-table').waitFor()
      // Only protocolled applications can be ticked: the rejected one has no box.
      assert.equal(await page.getByTestId(`inbox-row-${ids[0]}`).getByRole('checkbox').count(), 0)
      await page.getByRole('checkbox', { name: 'Seleziona tutte le domande protocollate di questa pagina' }).check()
      await page.getByTestId('inbox-selected').filter({ hasText: '3 domande selezionate' }).waitFor()
      await page.getByRole('checkbox', { name: `Seleziona la domanda n. ${ids[3]}` }).uncheck()
      await page.getByTestId('inbox-selected').filter({ hasText: '2 domande selezionate' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'inbox with selection: axe violations')
      await snap(page, 'backoffice-bulk-select-laptop')

      // Meanwhile a colleague accepts one of them from its page: that one will fail, the other not.
      ;(
        await client.post(`${base}/submissions/${ids[1]}/status`).json({ status: 'accepted' }).loginAs(operator)
      ).assertStatus(200)
      await page.getByRole('button', { name: 'Accogli le domande selezionate' }).click()
      await page.getByRole('heading', { name: /^Accoglimento di domande n. \d+$/, level: 1 }).waitFor()
      await page.getByTestId('bulk-state').filter({ hasText: 'Accoglimento concluso' }).waitFor({ timeout: 15000 })
      assert.equal(await page.getByRole('progressbar', { name: 'Avanzamento' }).getAttribute('aria-valuenow'), '100')
      assert.equal(await page.getByTestId('bulk-done').textContent(), '1')
      assert.equal(await page.getByTestId('bulk-failed').textContent(), '1')
      const failures = await page.getByTestId('bulk-failures').textContent()
      assert.include(failures, `Domanda n. ${ids[1]}`)
      assert.include(failures, 'Accolta non può diventare Accolta')
      assert.deepEqual(await seriousViolations(page), [], 'bulk progress: axe violations')
      await snap(page, 'backoffice-bulk-progress-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-bulk-progress-tablet')
      await page.setViewportSize(LAPTOP)

      // The child of the other one is enrolled; back in the inbox, the counts follow.
      const enrolled = await db.from('enrolments').where('submission_id', ids[2])
      assert.lengthOf(enrolled, 1)
      await page.getByRole('link', { name: 'Torna alle domande ricevute' }).click()
      await page.getByTestId('count-accepted').filter({ hasText: '2' }).waitFor()
    } finally {
      await close()
    }
  })
})
