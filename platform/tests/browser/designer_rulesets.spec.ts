import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import type { Page } from 'playwright-core'
import { registerWebRoutes } from '#start/routes/web'
import AuditLog from '#models/audit_log'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { LAPTOP, logInStaff, openBrowser, seriousViolations } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'
import { guideShot } from './designer_world.js'

registerWebRoutes(router)

/** A start date years ahead, so that the new version is "in the future" whatever day the test runs. */
const FROM = '2031-09-01'
const AFTER = '2031-10-01'

async function cell(page: Page, row: string, column: string) {
  return page.getByLabel(`refezione (tariffa a pasto): riga ${row}, colonna ${column}`)
}

test.group('Designer: a tariff changed cell by cell from a future date, its cases run, published', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a designer changes a cell and adds a case; a tenant admin publishes; evaluations differ by date', async ({
    assert,
  }) => {
    const tenant = await makeTenant({ name: 'Comune di Prova Designer' })
    await pluginService.enable(tenant, 'refezione')
    const designer = await makeUser(tenant, ['designer'])
    const admin = await makeUser(tenant, ['tenant_admin'])
    const { page, context, close } = await openBrowser()
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'])
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, designer.email)
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      await nav.getByRole('link', { name: 'Regole e tariffe' }).click()
      await page.getByRole('heading', { name: 'Regole e tariffe', level: 1 }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'rule sets list: axe violations')
      await guideShot(page, 'rulesets-list')
      await page.getByRole('link', { name: 'Refezione scolastica: tariffa a pasto' }).click()
      await page.getByRole('heading', { name: 'Refezione scolastica: tariffa a pasto', level: 1 }).waitFor()
      // The version in force, read only: its grid with each cell's reference.
      const intera = await cell(page, 'intera', '1_figlio')
      assert.equal(await intera.inputValue(), '5.69')
      assert.isNotNull(await intera.getAttribute('readonly'))
      assert.include(await intera.getAttribute('title'), 'riga «intera», colonna «1_figlio»')
      assert.deepEqual(await seriousViolations(page), [], 'rule set page: axe violations')

      // A new version from a future date starts from the version in force then.
      await page.getByLabel('Valida dal').fill(FROM)
      await page.getByRole('button', { name: 'Nuova versione da questa data' }).click()
      await page.getByTestId('draft-panel').waitFor()
      await (await cell(page, 'intera', '1_figlio')).fill('5.99')
      // A row pasted from a spreadsheet (tab-separated, decimal commas) lands from the chosen cell on.
      await page.evaluate(() => navigator.clipboard.writeText('3,43\t3,10\n'))
      await (await cell(page, 'ridotta', '1_figlio')).click()
      await page.keyboard.press('Control+V')
      assert.equal(await (await cell(page, 'ridotta', '2_figli')).inputValue(), '3.10')
      await page.getByTestId('save-state').getByText('Bozza salvata alle').waitFor()
      await page.getByRole('button', { name: 'Esegui i casi' }).click()
      await page.getByTestId('run-summary').waitFor()
      // The copied cases are dated before the new start: they run on the version then in force.
      assert.match(await page.getByTestId('run-summary').innerText(), / 0 non superati$/)
      await page.getByRole('button', { name: 'Esegui i casi' }).scrollIntoViewIfNeeded()
      await guideShot(page, 'ruleset-cases-green')

      // A case for the new period, first with a wrong expectation: red, with what differs and the trace.
      await page.getByRole('button', { name: 'Aggiungi un caso' }).click()
      const count = await page.getByTestId('cases').locator('tbody tr').count()
      await page
        .getByLabel(`Che cosa prova (una frase) ${count}`)
        .fill('Dal 1° settembre 2031 un figlio unico residente con ISEE 12.000 paga 5,99 a pasto.')
      await page.getByLabel(`Data ${count}`).fill(AFTER)
      await page.getByLabel(`Dati (JSON) ${count}`).fill('{ "residence": "piacenza", "isee": 12000 }')
      await page.getByLabel(`Atteso (JSON) ${count}`).fill('{ "amount": "5.89" }')
      await page.getByRole('button', { name: 'Esegui i casi' }).click()
      const outcome = page.getByTestId(`case-${count}-outcome`)
      const traceRow = page.getByTestId(`case-${count}-trace-row`)
      await outcome.getByText('non superato').waitFor()
      assert.include(await outcome.innerText(), 'amount: atteso "5.89", ottenuto "5.99"')
      await traceRow.locator('summary', { hasText: 'Il calcolo passo per passo' }).click()
      assert.include(await page.getByTestId(`case-${count}-trace`).innerText(), '5,99')
      await outcome.scrollIntoViewIfNeeded()
      await guideShot(page, 'ruleset-case-red')
      await page.getByLabel(`Atteso (JSON) ${count}`).fill('{ "amount": "5.99", "band": "intera" }')
      await page.getByRole('button', { name: 'Esegui i casi' }).click()
      await outcome.getByText('superato').waitFor()
      assert.match(await page.getByTestId('run-summary').innerText(), / 0 non superati$/)

      // A sample evaluation on the draft, with its trace.
      await page.getByLabel('Data del calcolo').fill(AFTER)
      await page.getByRole('button', { name: 'Calcola' }).click()
      assert.equal(await page.getByTestId('try-amount').innerText(), '5.99')
      assert.include(await page.getByTestId('try-trace').innerText(), 'intera')
      await page.getByTestId('try-result').scrollIntoViewIfNeeded()
      await guideShot(page, 'ruleset-try')

      // The comparison with the version in force names the changed cells.
      await page.getByLabel('Da', { exact: true }).selectOption('2')
      const changes = await page.getByTestId('compare-cells').innerText()
      assert.include(changes, '5.69')
      assert.include(changes, '5.99')
      assert.include(changes, '3.10')
      await page.getByTestId('compare-cells').scrollIntoViewIfNeeded()
      await guideShot(page, 'ruleset-compare')

      // The designer may not publish in this tenant; the tenant admin does.
      await page.getByTestId('publish-by-admin').waitFor()
      assert.equal(await page.getByRole('button', { name: 'Pubblica' }).count(), 0)
      await page.getByTestId('save-state').getByText('Bozza salvata alle').waitFor()
      await page.getByTestId('draft-panel').scrollIntoViewIfNeeded()
      await guideShot(page, 'ruleset-draft')
      assert.deepEqual(await seriousViolations(page), [], 'draft: axe violations')
      await page.getByRole('button', { name: 'Esci' }).click()

      await logInStaff(page, admin.email)
      await nav.getByRole('link', { name: 'Regole e tariffe' }).click()
      await page.getByRole('link', { name: 'Refezione scolastica: tariffa a pasto' }).click()
      await page.getByTestId('draft-panel').waitFor()
      assert.equal(await (await cell(page, 'intera', '1_figlio')).inputValue(), '5.99')
      await page.getByRole('button', { name: 'Pubblica' }).click()
      await page.getByTestId('designer-notice').getByText('Versione 3 pubblicata: in vigore dal 01/09/2031.').waitFor()

      // Evaluations before and after the new start differ as the cell says.
      await page.getByLabel('Versione mostrata').selectOption('3')
      await page.getByLabel('Data del calcolo').fill('2031-08-31')
      await page.getByRole('button', { name: 'Calcola' }).click()
      await page.getByTestId('try-result').getByText('Risultato (versione 2)').waitFor()
      assert.equal(await page.getByTestId('try-amount').innerText(), '5.69')
      await page.getByLabel('Data del calcolo').fill(AFTER)
      await page.getByRole('button', { name: 'Calcola' }).click()
      await page.getByTestId('try-result').getByText('Risultato (versione 3)').waitFor()
      assert.equal(await page.getByTestId('try-amount').innerText(), '5.99')

      const audit = await RequestContext.withTenant(tenant.ref, () =>
        AuditLog.query().whereIn('entity', ['ruleset_drafts', 'ruleset_versions'])
      )
      assert.isTrue(
        audit.some((a) => a.entity === 'ruleset_drafts' && a.action === 'update' && a.actorUserId === designer.id)
      )
      assert.isTrue(
        audit.some((a) => a.entity === 'ruleset_versions' && a.action === 'create' && a.actorUserId === admin.id)
      )
    } finally {
      await close()
    }
  })
})
