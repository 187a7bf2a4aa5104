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

  test('the injunction thresholds: an amount that is not euro refused at its field, then saved in cents', async ({
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
      const injunctions = page.getByTestId('settings-injunctions')
      await injunctions.waitFor()
      const min = injunctions.getByLabel('Importo minimo per l’ingiunzione (euro)')
      await min.fill('venti')
      await page.getByRole('button', { name: 'Salva' }).click()
      const error = page.locator('#setting-settings-billing-injunctionMinCents-error')
      await error.waitFor()
      assert.include((await error.textContent()) ?? '', 'importo in euro')
      assert.equal(await min.getAttribute('aria-invalid'), 'true')
      assert.isUndefined((await Tenant.findOrFail(tenant.id)).settings.billing, 'nothing saved')

      await injunctions.getByLabel('Giorni dalla lettera di morosità all’ingiunzione').fill('4000')
      await min.fill('25,50')
      await page.getByRole('button', { name: 'Salva' }).click()
      const days = page.locator('#setting-settings-billing-injunctionAfterDays-error')
      await days.waitFor()
      assert.match((await days.textContent()) ?? '', /3650/)

      await injunctions.getByLabel('Giorni dalla lettera di morosità all’ingiunzione').fill('60')
      await injunctions.getByLabel('Giorni per pagare l’ingiunzione').fill('45')
      await injunctions.getByLabel('Giorni dall’ingiunzione alla riscossione coattiva').fill('90')
      await page.getByRole('button', { name: 'Salva' }).click()
      await page.getByTestId('settings-saved').waitFor()
      assert.include((await Tenant.findOrFail(tenant.id)).settings.billing as Record<string, unknown>, {
        injunctionAfterDays: 60,
        injunctionPayDays: 45,
        recordAfterDays: 90,
        injunctionMinCents: 2550,
      })
      assert.deepEqual(await seriousViolations(page), [], 'injunction settings: axe violations')
      await snap(page, 'backoffice-injunction-settings')

      await page.reload()
      await injunctions.waitFor()
      assert.equal(await min.inputValue(), '25,50')
    } finally {
      await close()
    }
  })
})
