import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { scheduleArrears } from '#services/billing/arrears'
import PaymentPosition from '#models/payment_position'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'
import { DateTime } from 'luxon'
import { LAPTOP, logInStaff, openBrowser, seriousViolations, snap } from './portal.js'

registerWebRoutes(router)

test.group('Back office: injunctions and the coercive-collection record', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('the office sees who is due, issues the injunctions, prepares the record and downloads it', async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld({ billing: { reminderAfterDays: 10, letterAfterDays: 20, dueDays: 30 } })
    cleanup(() => world.close())
    await world.enrol(null, '38.20')
    await world.enrol(null, '12.00')
    await RequestContext.withTenant(world.tenant.ref, () =>
      startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
    )
    await jobQueue().drained()
    const [first] = await RequestContext.withTenant(world.tenant.ref, () => PaymentPosition.query().orderBy('id'))
    const due = DateTime.fromISO(first.dueDate)
    await RequestContext.withTenant(world.tenant.ref, async () => {
      await scheduleArrears(world.tenant, due.plus({ days: 11 }))
      await jobQueue().drained()
      await scheduleArrears(world.tenant, due.plus({ days: 31 }))
    })
    await jobQueue().drained()
    const operator = await makeUser(world.tenant, ['operator'])

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Ingiunzioni' }).click()
      await page.getByRole('heading', { name: 'Ingiunzioni e riscossione coattiva', level: 1 }).waitFor()
      // The letters went today: with 30 days nobody is due; with 0 days both payers are.
      await page.getByText('Nessun pagatore da ingiungere con questi giorni.').waitFor()
      await page.getByLabel('Giorni trascorsi dalla lettera di sollecito').fill('0')
      await page.getByRole('button', { name: 'Mostra' }).click()
      await page.getByTestId('injunction-candidates').waitFor()
      assert.equal(await page.getByTestId('injunction-candidates').locator('tbody tr').count(), 2)
      assert.include(await page.getByTestId('injunction-candidates').textContent(), '€ 38,20')
      assert.deepEqual(await seriousViolations(page), [], 'candidates: axe violations')
      await snap(page, 'backoffice-injunctions-candidates')

      await page.getByRole('button', { name: 'Emetti le ingiunzioni' }).click()
      await page.getByText('Ingiunzioni emesse: 2.', { exact: false }).waitFor()
      await jobQueue().drained()
      await page.reload()
      await page.getByTestId('injunctions-issued').waitFor()
      await page.waitForFunction(
        () => !document.querySelector('[data-testid="injunctions-issued"]')?.textContent?.includes('In protocollazione')
      )
      const issued = await page.getByTestId('injunctions-issued').textContent()
      assert.match(issued!, /\d{4}\/\d{7}/)
      assert.include(issued!, 'Emessa')
      // Each names the one pagoPA notice that replaced its positions.
      for (const cell of await page.getByTestId('injunction-notice').allTextContents()) {
        assert.match(cell.trim(), /^\d{4} \d{4} \d{4} \d{4} \d{2}$/, `a notice code, seen "${cell}"`)
      }

      await page.getByLabel("Giorni trascorsi dall'ingiunzione").fill('0')
      await page.getByRole('button', { name: 'Prepara il ruolo' }).click()
      await page.getByText('Ruolo n. 1 preparato con 2 ingiunzioni.').waitFor()
      await page.getByTestId('collection-records').waitFor()
      const download = page.waitForEvent('download')
      await page.getByRole('link', { name: 'Tracciato ruolo 1' }).click()
      const file = await download
      const text = await (await import('node:fs/promises')).readFile((await file.path())!, 'latin1')
      assert.deepEqual(
        text.split('\r\n').map((l) => l.length),
        [250, 250, 250, 250, 0]
      )
      assert.deepEqual(await seriousViolations(page), [], 'records: axe violations')
      await snap(page, 'backoffice-injunctions-records')

      // The same page in English.
      await page.getByRole('button', { name: /English/ }).click()
      await page.getByRole('heading', { name: 'Injunctions and coercive collection', level: 1 }).waitFor()
      await page.getByRole('link', { name: 'Record 1 CSV' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'english: axe violations')
    } finally {
      await close()
    }
  })
})
