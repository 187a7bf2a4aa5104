import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import db from '@adonisjs/lucid/services/db'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import Enrolment from '#models/enrolment'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM, forChild, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, LAPTOP, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Back office: the operator renews and withdraws enrolments in the register', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('two renewed for the next year, one at the end of its cycle; one withdrawn from a day', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const ids: number[] = []
    for (let n = 0; n < 3; n++) {
      const sent = await client
        .post(`${base}/forms/${FORM}/submit`)
        .json({ data: forChild(sample, n) })
        .loginAs(citizen)
      sent.assertStatus(201)
      await jobQueue().drained()
      const sid = sent.body().submission.id
      ;(
        await client.post(`${base}/submissions/${sid}/status`).json({ status: 'accepted' }).loginAs(operator)
      ).assertStatus(200)
      ids.push((await db.from('enrolments').where('submission_id', sid).first()).id)
    }
    // The third child is in the last year of primary school.
    await RequestContext.withTenant(tenant.ref, async () => {
      const row = await Enrolment.findOrFail(ids[2])
      row.details = { ...row.details, class_year: '5' }
      await row.save()
    })
    const year: string = (await db.from('enrolments').where('id', ids[0]).first()).school_year
    const start = Number(year.slice(0, 4))

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/iscritti`)
      await page.getByTestId('register-table').waitFor()
      await page.getByRole('checkbox', { name: 'Seleziona tutte le iscrizioni attive di questa pagina' }).check()
      await page.getByTestId('register-selected').filter({ hasText: '3 iscrizioni selezionate' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'register with selection: axe violations')
      await page.getByRole('button', { name: "Rinnova per l'anno successivo" }).click()
      const results = page.getByTestId('renew-results')
      await results.filter({ hasText: '2 iscrizioni rinnovate.' }).waitFor()
      assert.include(await results.textContent(), `Iscrizione n. ${ids[2]}: Ciclo scolastico concluso`)
      // The renewals are in the list, for the next school year.
      await page
        .getByRole('cell', { name: `${start + 1}/${start + 2}` })
        .first()
        .waitFor()
      assert.lengthOf(await db.from('enrolments').whereIn('renewed_from_id', ids), 2)
      assert.deepEqual(await seriousViolations(page), [], 'register after renewal: axe violations')
      await snap(page, 'backoffice-register-renewed-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-register-renewed-tablet')
      await page.setViewportSize(LAPTOP)

      // Renewed while its school year runs, the enrolment stays active until the year is over.
      assert.equal((await db.from('enrolments').where('id', ids[1]).first()).status, 'active')
      // The child at the end of the cycle leaves: withdrawn from a day, with the reason.
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/iscritti/${ids[2]}`)
      await page.getByRole('heading', { name: "Ritira l'iscrizione", level: 2 }).waitFor()
      await page.getByRole('button', { name: "Ritira l'iscrizione" }).click()
      await page.getByText("Indica un giorno dell'anno scolastico").waitFor()
      await page.getByText('Scrivi il motivo del ritiro.').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'withdrawal errors: axe violations')
      await page.getByLabel('Non frequenta più dal').fill(`${start}-11-15`)
      const why = 'La famiglia si trasferisce a Parma.'
      await page.getByLabel('Motivo del ritiro').fill(why)
      await page.getByRole('button', { name: "Ritira l'iscrizione" }).click()
      const withdrawal = page.getByTestId('entry-withdrawal')
      await withdrawal.waitFor()
      assert.include(await withdrawal.textContent(), `Ritirata dal 15/11/${start}`)
      assert.include(await withdrawal.textContent(), operator.fullName)
      assert.include(await withdrawal.textContent(), why)
      assert.deepEqual(await seriousViolations(page), [], 'withdrawn entry: axe violations')
      await snap(page, 'backoffice-register-withdrawn-laptop')
      const stored = await db.from('enrolments').where('id', ids[2]).first()
      assert.equal(stored.status, 'withdrawn')
      assert.equal(stored.withdrawn_from, `${start}-11-15`)
    } finally {
      await close()
    }
  })
})
