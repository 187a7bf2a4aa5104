import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import db from '@adonisjs/lucid/services/db'
import { registerWebRoutes } from '#start/routes/web'
import { pluginTestKit as kit } from '#sdk/testing'
import { LAPTOP, logInStaff, openBrowser, seriousViolations, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

const SCHOOLS = [
  { code: 'rodari', name: 'Scuola primaria Gianni Rodari', order: 'primaria', services: ['trasporto'], classes: [] },
  { code: 'collodi', name: 'Scuola primaria Carlo Collodi', order: 'primaria', services: ['trasporto'], classes: [] },
]

test.group('Back office: the schools a transport line serves', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('an administrator ticks the schools of a line in its form; the change is audited and survives deactivation', async ({
    assert,
  }) => {
    const tenant = await kit.tenant(['trasporto'])
    await kit.schools(tenant, SCHOOLS)
    const admin = await kit.member(tenant, ['tenant_admin'])
    const entry = () =>
      db.from('catalog_entries').where({ tenant_id: tenant.id, source: 'transport_lines', code: 'linea-2' }).first()
    const schoolsOf = async () => {
      const row = await entry()
      const attributes = typeof row?.attributes === 'string' ? JSON.parse(row.attributes) : row?.attributes
      return (attributes ?? {}).schools
    }

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, admin.email)
      await page
        .getByRole('navigation', { name: 'Menu principale' })
        .getByRole('link', { name: 'Impostazioni' })
        .click()
      await page.getByRole('heading', { name: 'Impostazioni dell’ente', level: 1 }).waitFor()
      const lists = page.getByTestId('lists-settings')
      await lists.getByLabel('Elenco', { exact: true }).selectOption({ label: 'Linee di trasporto' })
      // The form asks the schools as the plugin declares them: a box per school, none ticked.
      const served = lists.getByRole('group', { name: 'Scuole servite' })
      // A box is ticked as a person does, on its label (Bootstrap Italia draws the box there).
      const tick = async (school: string, on: boolean) => {
        const box = served.getByLabel(school)
        if ((await box.isChecked()) !== on) await served.getByText(school, { exact: true }).click()
        assert.equal(await box.isChecked(), on, `${school} should be ${on ? 'ticked' : 'not ticked'}`)
      }
      await served.getByLabel('Scuola primaria Carlo Collodi').waitFor()
      await lists.getByLabel('Codice (lettere minuscole, cifre e trattini)').fill('linea-2')
      await lists.getByLabel('Nome', { exact: true }).fill('Linea 2 Ospedale')
      await lists.getByRole('button', { name: 'Registra la voce' }).click()
      const row = lists.getByTestId('entry-linea-2')
      await row.waitFor()
      assert.equal(
        await row.getByTestId('entry-linea-2-schools').textContent(),
        'Tutte le scuole',
        'a new line serves every school'
      )
      assert.isUndefined(await schoolsOf(), 'a line saved without schools has none')

      // Changed from its row: the form holds the line; ticking a school and saving records it.
      await row.getByRole('button', { name: 'Modifica Linea 2 Ospedale' }).click()
      await lists.getByTestId('entry-editing').waitFor()
      assert.equal(await lists.getByLabel('Nome', { exact: true }).inputValue(), 'Linea 2 Ospedale')
      await tick('Scuola primaria Gianni Rodari', true)
      assert.deepEqual(await seriousViolations(page), [], 'a line in its form: axe violations')
      await snap(page, 'backoffice-transport-line-form')
      await lists.getByRole('button', { name: 'Registra la voce' }).click()
      const cell = row.getByTestId('entry-linea-2-schools')
      await cell.filter({ hasText: 'Scuola primaria Gianni Rodari' }).waitFor()
      assert.deepEqual(await schoolsOf(), ['rodari'], 'the line serves the school ticked')
      const audit = await db
        .from('audit_logs')
        .where({ tenant_id: tenant.id, entity: 'catalog_entries', actor_user_id: admin.id })
        .orderBy('id', 'desc')
        .first()
      assert.exists(audit, 'the change is in the audit log with the administrator as its author')
      assert.include(JSON.stringify(audit.after), 'rodari', `the audit's after: ${JSON.stringify(audit.after)}`)

      // A wrong attribute from the server is shown at its field: none here; deactivating keeps the schools.
      await row.getByRole('button', { name: 'Disattiva Linea 2 Ospedale' }).click()
      await row.filter({ hasText: 'non attiva' }).waitFor()
      assert.deepEqual(await schoolsOf(), ['rodari'], 'a deactivated line keeps the schools it serves')
      assert.include(await cell.textContent(), 'Scuola primaria Gianni Rodari')

      // Both schools, then none again (every school), from the form.
      await row.getByRole('button', { name: 'Modifica Linea 2 Ospedale' }).click()
      await tick('Scuola primaria Carlo Collodi', true)
      await lists.getByRole('button', { name: 'Registra la voce' }).click()
      await cell.filter({ hasText: 'Scuola primaria Carlo Collodi' }).waitFor()
      assert.sameMembers(await schoolsOf(), ['rodari', 'collodi'])
      await row.getByRole('button', { name: 'Modifica Linea 2 Ospedale' }).click()
      await tick('Scuola primaria Carlo Collodi', false)
      await tick('Scuola primaria Gianni Rodari', false)
      await lists.getByRole('button', { name: 'Registra la voce' }).click()
      await cell.filter({ hasText: 'Tutte le scuole' }).waitFor()
      assert.isUndefined(await schoolsOf(), 'no school ticked: the line serves every school')
      assert.deepEqual(await seriousViolations(page), [], 'the lines after the changes: axe violations')
    } finally {
      await close()
    }
  })
})
