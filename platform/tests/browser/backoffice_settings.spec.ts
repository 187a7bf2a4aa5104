import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import Tenant from '#models/tenant'
import { makeUser } from '#tests/helpers/world'
import { pluginService } from '#services/tenants/plugin_service'
import { refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, LAPTOP, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
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

  test('the protocol system and the school catalog: refusals at their field, the password never asked nor shown', async ({
    assert,
  }) => {
    const { tenant } = await refezioneTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    await pluginService.enable(tenant, 'trasporto')
    const secret = 'segreto-del-protocollo-2026'
    process.env.DOCAREA_PASSWORD_PROVA = secret
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, admin.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/impostazioni`)
      await page.getByRole('heading', { name: 'Impostazioni dell’ente', level: 1 }).waitFor()
      const protocol = page.getByTestId('protocol-settings')
      await protocol.getByLabel('Sistema', { exact: true }).selectOption('docarea')
      await protocol.getByLabel('Indirizzo del servizio DOCAREA').fill('protocollo.comune.example')
      await protocol.getByLabel('Codice dell’ente (CodiceEnte)').fill('C_G535')
      await protocol.getByLabel('Utente del servizio').fill('sportello')
      await protocol.getByLabel('Variabile d’ambiente con la password').fill('APP_KEY')
      assert.equal(await protocol.locator('input[type="password"]').count(), 0, 'no password is asked')
      await protocol.getByRole('button', { name: 'Aggiorna il protocollo' }).click()
      await page.waitForFunction(() => document.querySelector('#protocol-url')?.getAttribute('aria-invalid') === 'true')
      assert.include(await page.locator('#protocol-url-error').textContent(), 'http')
      assert.include(await page.locator('#protocol-url').getAttribute('aria-describedby'), 'protocol-url-error')
      assert.deepEqual(await seriousViolations(page), [], 'protocol with an error: axe violations')

      await protocol
        .getByLabel('Indirizzo del servizio DOCAREA')
        .fill('https://protocollo.comune.example/DOCAREAProtoSoap')
      await protocol.getByRole('button', { name: 'Aggiorna il protocollo' }).click()
      await page.waitForFunction(
        () => document.querySelector('#protocol-passwordEnv')?.getAttribute('aria-invalid') === 'true'
      )
      assert.isNull(await page.locator('#protocol-url').getAttribute('aria-invalid'))
      assert.include(await page.locator('#protocol-passwordEnv-error').textContent(), 'DOCAREA_PASSWORD_')
      assert.isUndefined((await Tenant.findOrFail(tenant.id)).settings.protocol, 'nothing saved')

      await protocol.getByLabel('Variabile d’ambiente con la password').fill('DOCAREA_PASSWORD_PROVA')
      await protocol.getByRole('button', { name: 'Aggiorna il protocollo' }).click()
      await page.getByTestId('protocol-saved').waitFor()
      assert.deepInclude((await Tenant.findOrFail(tenant.id)).settings.protocol as Record<string, unknown>, {
        driver: 'docarea',
        url: 'https://protocollo.comune.example/DOCAREAProtoSoap',
        codEnte: 'C_G535',
        passwordEnv: 'DOCAREA_PASSWORD_PROVA',
        attachments: 'swa',
      })
      await page.reload()
      await page.getByTestId('protocol-settings').waitFor()
      assert.equal(await protocol.getByLabel('Codice dell’ente (CodiceEnte)').inputValue(), 'C_G535')
      assert.notInclude(await page.content(), secret, 'the password is never shown')
      const answer = await page.request.get(`${baseUrl()}/api/v1/t/${tenant.slug}`)
      assert.notInclude(await answer.text(), secret, 'nor sent to the browser')

      // The catalog: a school refused at its fields, then added, with a class, then deactivated.
      const catalog = page.getByTestId('catalog-settings')
      await catalog.getByTestId('school-pc-primaria-alberoni').waitFor()
      await catalog.getByLabel('Nome della scuola').fill('Scuola primaria Pezzani')
      await catalog.getByLabel('Codice (lettere minuscole, cifre e trattini)').fill('Pezzani Nord')
      await catalog.getByRole('button', { name: 'Aggiungi una scuola' }).click()
      await page.waitForFunction(() => document.querySelector('#school-code')?.getAttribute('aria-invalid') === 'true')
      assert.include(await page.locator('#school-code-error').textContent(), 'minuscole')
      await catalog.getByLabel('Codice (lettere minuscole, cifre e trattini)').fill('pc-primaria-alberoni')
      await catalog.getByRole('button', { name: 'Aggiungi una scuola' }).click()
      await page.locator('#school-code-error').filter({ hasNotText: 'minuscole' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'catalog with an error: axe violations')
      await catalog.getByLabel('Codice (lettere minuscole, cifre e trattini)').fill('pc-primaria-pezzani')
      await catalog.getByLabel('Ordine di scuola').selectOption('primaria')
      // Bootstrap Italia draws the box on the label: the label is what one clicks.
      await catalog.locator('label[for="school-service-refezione"]').click()
      assert.isTrue(await catalog.getByLabel('refezione').isChecked())
      await catalog.getByRole('button', { name: 'Aggiungi una scuola' }).click()
      await page.getByTestId('school-added').waitFor()
      const row = catalog.getByTestId('school-pc-primaria-pezzani')
      await row.waitFor()
      assert.include(await row.textContent(), 'Scuola primaria Pezzani')

      await row.getByRole('button', { name: 'Classi' }).click()
      const classes = catalog.getByTestId('classes-pc-primaria-pezzani')
      await classes.getByRole('button', { name: 'Aggiungi la classe' }).click()
      await page.waitForFunction(
        () => document.querySelector('#class-pc-primaria-pezzani-section')?.getAttribute('aria-invalid') === 'true'
      )
      await classes.getByLabel('Anno di corso (facoltativo)').fill('1')
      await classes.getByLabel('Sezione').fill('A')
      await classes.getByRole('button', { name: 'Aggiungi la classe' }).click()
      await classes.getByRole('listitem').filter({ hasText: '1 A' }).waitFor()
      await row.getByRole('button', { name: 'Disattiva Scuola primaria Pezzani' }).click()
      await row.filter({ hasText: 'non attiva' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'catalog: axe violations')
      await snap(page, 'backoffice-settings-catalog')

      // The transport's lines and stops: a code refused at its field, then a line and a stop on it.
      const lists = page.getByTestId('lists-settings')
      await lists.getByLabel('Elenco', { exact: true }).selectOption({ label: 'Linee di trasporto' })
      await lists.getByLabel('Codice (lettere minuscole, cifre e trattini)').fill('Linea 1')
      await lists.getByLabel('Nome', { exact: true }).fill('Linea 1 Centro')
      await lists.getByRole('button', { name: 'Registra la voce' }).click()
      await page.waitForFunction(() => document.querySelector('#entry-code')?.getAttribute('aria-invalid') === 'true')
      await lists.getByLabel('Codice (lettere minuscole, cifre e trattini)').fill('linea-1')
      await lists.getByRole('button', { name: 'Registra la voce' }).click()
      await lists.getByTestId('entry-linea-1').waitFor()
      await lists.getByLabel('Elenco', { exact: true }).selectOption({ label: 'Fermate' })
      await lists.getByLabel('Appartiene a').selectOption({ label: 'Linea 1 Centro' })
      await lists.getByLabel('Codice (lettere minuscole, cifre e trattini)').fill('piazza-cavalli')
      await lists.getByLabel('Nome', { exact: true }).fill('Piazza Cavalli')
      await lists.getByRole('button', { name: 'Registra la voce' }).click()
      const stop = lists.getByTestId('entry-piazza-cavalli')
      await stop.waitFor()
      assert.include(await stop.textContent(), 'linea-1')
      await stop.getByRole('button', { name: 'Disattiva Piazza Cavalli' }).click()
      await stop.filter({ hasText: 'non attiva' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'lists: axe violations')

      await page.getByRole('button', { name: /English/ }).click()
      await page.getByRole('heading', { name: 'Catalog of schools and classes' }).waitFor()
      await page.getByTestId('protocol-settings').getByText('Protocol system').waitFor()
      assert.include(await row.textContent(), 'inactive')
      assert.deepEqual(await seriousViolations(page), [], 'settings in English: axe violations')
    } finally {
      delete process.env.DOCAREA_PASSWORD_PROVA
      await close()
    }
  })
})
