import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { makeUser } from '#tests/helpers/world'
import { refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, LAPTOP, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Back office: the tenant admin reads the activity log', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('filters by who, what and which record, pages through, reads before and after; not for operators', async ({
    assert,
    client,
  }) => {
    const { tenant, operator } = await refezioneTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const url = `/api/v1/t/${tenant.slug}`
    ;(await client.patch(url).json({ name: 'Comune Rinominato' }).loginAs(admin)).assertStatus(200)
    // Enough changes for a second page.
    for (let i = 0; i < 55; i++)
      await client
        .patch(url)
        .json({ name: `Comune ${i}` })
        .loginAs(admin)

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, admin.email)
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      await nav.getByRole('link', { name: 'Registro delle attività' }).click()
      await page.getByRole('heading', { name: 'Registro delle attività', level: 1 }).waitFor()
      await page.getByTestId('audit-table').waitFor()
      assert.equal(await page.getByTestId('audit-table').locator('tbody tr').count(), 50)
      assert.deepEqual(await seriousViolations(page), [], 'audit: axe violations')
      await snap(page, 'backoffice-audit-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-audit-tablet')
      await page.setViewportSize(LAPTOP)

      const firstRow = await page.getByTestId('audit-table').locator('tbody tr').first().getAttribute('data-testid')
      await page.getByRole('button', { name: 'Pagina successiva' }).click()
      await page.waitForFunction(
        (id) => document.querySelector('[data-testid="audit-table"] tbody tr')?.getAttribute('data-testid') !== id,
        firstRow
      )
      await page.getByRole('button', { name: 'Prima pagina' }).waitFor()

      // Who, what and which record: the first rename by the admin.
      await page.getByLabel('Chi (e-mail o numero utente)').fill(admin.email)
      await page.getByLabel('Cosa (tabella)').fill('tenants')
      await page.getByLabel('Numero del record').fill(String(tenant.id))
      await page.getByLabel('Azione').selectOption('update')
      await page.getByRole('button', { name: 'Filtra' }).click()
      await page.waitForFunction(() => location.hash.includes('entity_id='))
      await page.getByTestId('audit-table').waitFor()
      const rows = page.getByTestId('audit-table').locator('tbody tr')
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length === 50)
      for (const text of await rows.allTextContents()) assert.include(text, admin.email)
      // The oldest of them, on the second page, is the rename; its changes open under the row.
      await page.getByRole('button', { name: 'Pagina successiva' }).click()
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length === 6)
      const rename = rows.last()
      await rename.getByText('Mostra le modifiche').click()
      assert.include(await rename.textContent(), '"Comune Rinominato"')
      assert.deepEqual(await seriousViolations(page), [], 'audit filtered: axe violations')
      await snap(page, 'backoffice-audit-filtered')

      // A record nobody touched: said so.
      await page.getByLabel('Numero del record').fill('999999')
      await page.getByRole('button', { name: 'Filtra' }).click()
      await page.getByTestId('audit-none').waitFor()

      // The operator has no entry for it, and the address says it is not for their role.
      await page.getByRole('button', { name: 'Esci' }).click()
      await logInStaff(page, operator.email)
      assert.notInclude(await nav.getByRole('link').allTextContents(), 'Registro delle attività')
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/attivita`)
      await page.getByText('Questa pagina non è disponibile con il tuo ruolo in questo ente.').waitFor()
    } finally {
      await close()
    }
  })
})
