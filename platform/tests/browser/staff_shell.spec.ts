import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { pluginService } from '#services/tenants/plugin_service'
import { refezioneTenant } from '#tests/functional/forms/world'
import { makeUser } from '#tests/helpers/world'
import { baseUrl, LAPTOP, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Back office: the desk and the navigation by role; plugin pages where the plugin is on', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('each staff role lands on its desk and sees only the entries its role opens', async ({ assert }) => {
    const { tenant, operator } = await refezioneTenant()
    const kitchen = await makeUser(tenant, ['kitchen'])
    const school = await makeUser(tenant, ['school_staff'])
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      assert.match(page.url(), new RegExp(`#/t/${tenant.slug}/ufficio$`))
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      const entries = await nav.getByRole('link').allTextContents()
      assert.include(entries, 'Scrivania')
      assert.notInclude(entries, 'Servizi')
      assert.notInclude(entries, 'Le mie domande')
      // The canteen plugin's page, enabled here, for the operator.
      assert.include(entries, 'Mensa')
      assert.include(entries, 'Calendario mensa')
      await page.getByTestId('desk-entries').getByRole('link', { name: 'Mensa', exact: true }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'desk: axe violations')
      await snap(page, 'staff-desk-operator-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'staff-desk-operator-tablet')
      await page.getByRole('button', { name: 'Esci' }).click()

      // The kitchen and the school see the desk and the canteen page of their role only.
      for (const [user, pageName] of [
        [kitchen, 'Ordine cucina'],
        [school, 'Presenze'],
      ] as const) {
        await logInStaff(page, user.email)
        const theirs = await nav.getByRole('link').allTextContents()
        assert.deepEqual(theirs, ['Scrivania', pageName], `${user.email}: the desk and their page`)
        await page.getByTestId('desk-entries').getByRole('link', { name: pageName }).waitFor()
        // The operator's plugin page, addressed directly, says it is not for this role.
        await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/refezione/iscritti`)
        await page.getByText('Questa pagina non è disponibile con il tuo ruolo in questo ente.').waitFor()
        assert.equal(await page.getByTestId('refezione-children').count(), 0)
        await page.getByRole('button', { name: 'Esci' }).click()
      }
    } finally {
      await close()
    }
  })

  test('a plugin page shows where the plugin is enabled and is absent where it is disabled', async ({ assert }) => {
    const { tenant, operator } = await refezioneTenant()
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      await nav.getByRole('link', { name: 'Mensa', exact: true }).click()
      await page.getByRole('heading', { name: 'Mensa: bambini iscritti', level: 1 }).waitFor()
      await page.getByTestId('refezione-children-none').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'plugin page: axe violations')

      await pluginService.disable(tenant, 'refezione')
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio`)
      await page.reload()
      await page.getByRole('heading', { name: 'Scrivania', level: 1 }).waitFor()
      assert.notInclude(await nav.getByRole('link').allTextContents(), 'Mensa')
      assert.equal(await page.getByTestId('desk-entries').getByRole('link', { name: 'Mensa', exact: true }).count(), 0)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/refezione/iscritti`)
      await page.getByText('Questa pagina appartiene a un servizio non attivo in questo ente.').waitFor()
      assert.equal(await page.getByRole('heading', { name: 'Mensa: bambini iscritti' }).count(), 0)
    } finally {
      await close()
    }
  })
})
