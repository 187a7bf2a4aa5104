import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import Tenant from '#models/tenant'
import { makeUser } from '#tests/helpers/world'
import { refezioneTenant } from '#tests/functional/forms/world'
import { LAPTOP, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Back office: the tenant admin changes the settings in forms', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('enrolment periods and retention: the server’s refusal is shown at its field, then saved', async ({
    assert,
  }) => {
    const { tenant } = await refezioneTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, admin.email)
      await page
        .getByRole('navigation', { name: 'Menu principale' })
        .getByRole('link', { name: 'Impostazioni' })
        .click()
      await page.getByRole('heading', { name: 'Impostazioni dell’ente', level: 1 }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'settings: axe violations')
      await snap(page, 'backoffice-settings-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-settings-tablet')
      await page.setViewportSize(LAPTOP)

      const canteen = page.getByTestId('window-refezione.iscrizione')
      await canteen.getByLabel('Apre il').fill('2026-07-01')
      await canteen.getByLabel('Chiude il').fill('2026-03-01')
      await page.getByRole('button', { name: 'Salva' }).click()
      const opens = canteen.getByLabel('Apre il')
      await page.waitForFunction(
        () =>
          document
            .querySelector('#setting-settings-enrolment-refezione-iscrizione-opens')
            ?.getAttribute('aria-invalid') === 'true'
      )
      const message = await page.locator('#setting-settings-enrolment-refezione-iscrizione-opens-error').textContent()
      assert.match(message ?? '', /\S/)
      assert.include(
        await opens.getAttribute('aria-describedby'),
        'setting-settings-enrolment-refezione-iscrizione-opens-error'
      )
      assert.deepEqual(await seriousViolations(page), [], 'settings with an error: axe violations')
      await snap(page, 'backoffice-settings-error')
      assert.isUndefined((await Tenant.findOrFail(tenant.id)).settings.enrolment, 'nothing saved')

      // The period right, the retention wrong: now the days are refused at their field.
      await canteen.getByLabel('Apre il').fill('2026-03-01')
      await canteen.getByLabel('Chiude il').fill('2026-07-01')
      const days = page.getByLabel('Giorni di conservazione dei documenti non usati in una domanda')
      await days.fill('0')
      await page.getByRole('button', { name: 'Salva' }).click()
      await page.waitForFunction(
        () =>
          document.querySelector('#setting-settings-attachments-unreferenced-days')?.getAttribute('aria-invalid') ===
          'true'
      )
      assert.isNull(await opens.getAttribute('aria-invalid'))

      await days.fill('45')
      await page.getByRole('button', { name: 'Salva' }).click()
      await page.getByTestId('settings-saved').waitFor()
      const stored = (await Tenant.findOrFail(tenant.id)).settings
      assert.deepEqual((stored.enrolment as Record<string, unknown>)['refezione.iscrizione'], {
        opens: '2026-03-01',
        closes: '2026-07-01',
      })
      assert.equal((stored.attachments as Record<string, unknown>).unreferenced_days, 45)

      // Read back on a new visit.
      await page.reload()
      await page.getByRole('heading', { name: 'Impostazioni dell’ente', level: 1 }).waitFor()
      assert.equal(
        await page.getByTestId('window-refezione.iscrizione').getByLabel('Chiude il').inputValue(),
        '2026-07-01'
      )
      assert.equal(await days.inputValue(), '45')
    } finally {
      await close()
    }
  })
})
