import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import Tenant from '#models/tenant'
import { makeUser } from '#tests/helpers/world'
import { refezioneTenant } from '#tests/functional/forms/world'
import { LAPTOP, logInStaff, openBrowser, seriousViolations, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Back office: the arrears period in the settings page', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('reminder days, where they count from, the letters’ period and the debt block: a refusal at its field, then saved', async ({
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
      const arrears = page.getByTestId('settings-arrears')
      await arrears.waitFor()
      await arrears.getByLabel('Giorni prima del sollecito').fill('400')
      await page.getByRole('button', { name: 'Salva' }).click()
      const error = page.locator('#setting-settings-billing-reminderAfterDays-error')
      await error.waitFor()
      assert.match((await error.textContent()) ?? '', /365/)
      assert.equal(await arrears.getByLabel('Giorni prima del sollecito').getAttribute('aria-invalid'), 'true')
      assert.deepEqual(await seriousViolations(page), [], 'arrears settings with an error: axe violations')
      await snap(page, 'backoffice-arrears-error')
      assert.isUndefined((await Tenant.findOrFail(tenant.id)).settings.billing, 'nothing saved')

      await arrears.getByLabel('Giorni prima del sollecito').fill('5')
      await arrears.getByLabel('I giorni del sollecito si contano').selectOption('loaded')
      await arrears.getByLabel('Invio delle lettere di morosità').selectOption('quarterly')
      // Bootstrap Italia draws the box on the label: the person clicks the label.
      await arrears.getByText('Non accettare domande da chi ha avvisi scaduti e non pagati').click()
      await arrears.getByLabel('Giorni di tolleranza dopo la scadenza').fill('10')
      await page.getByRole('button', { name: 'Salva' }).click()
      await page.getByTestId('settings-saved').waitFor()
      const billing = (await Tenant.findOrFail(tenant.id)).settings.billing as Record<string, unknown>
      assert.include(billing, {
        reminderAfterDays: 5,
        reminderFrom: 'loaded',
        letterPeriod: 'quarterly',
        debtBlocksEnrolment: true,
        debtBlockAfterDays: 10,
      })
      assert.notProperty(billing, 'letterAfterDays')

      // Read back as saved after a reload.
      await page.reload()
      await arrears.waitFor()
      assert.equal(await arrears.getByLabel('Giorni prima del sollecito').inputValue(), '5')
      assert.equal(await arrears.getByLabel('Invio delle lettere di morosità').inputValue(), 'quarterly')
      assert.isTrue(await arrears.getByLabel('Non accettare domande da chi ha avvisi scaduti e non pagati').isChecked())
    } finally {
      await close()
    }
  })
})
