import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { FORM } from '#tests/functional/forms/world'
import { baseUrl, goToStep, LAPTOP, logInStaff, openBrowser, seriousViolations } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'
import { designerWorldWithDraft, openFamilyDraft, guideShot } from './designer_world.js'

registerWebRoutes(router)

const LABEL = 'Giorni di mensa a settimana'
const MESSAGE_IT = 'La mensa funziona al più 5 giorni a settimana: indica un numero da 1 a 5.'
const MESSAGE_EN = 'The canteen runs 5 days a week at most: give a number from 1 to 5.'
const PRIMARY_IT = 'Scuola primaria (elementare)'
const PRIMARY_EN = 'Primary school (elementary)'
const DESCRIPTION = 'Non si chiedono più giorni di mensa di quanti la scuola ne offra.'

test.group('Designer: a BLOCCO rule added to the refezione form, tried and published from today', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a designer adds a field with a BLOCCO rule and tries it; the citizen is blocked at the field, the application sent anyway is refused, data that respect it go through', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, sample, designer, draftId } = await designerWorldWithDraft(client)

    const staff = await openBrowser()
    try {
      const page = staff.page
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, designer.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/moduli/${FORM}`)
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica', level: 1 }).waitFor()
      // The rules of the version in force are listed, said in words, with their fields and reference.
      const rules = page.getByTestId('blocco-rules')
      const siblings = rules.locator('[data-rule="siblings_missing"]')
      await siblings.getByTestId('blocco-rule-fields').getByText('Altri figli che frequentano il servizio').waitFor()
      assert.match(await siblings.getByTestId('blocco-rule-description').innerText(), /^Blocca quando /)
      await page.getByRole('button', { name: 'Modifica (nuova bozza)' }).click()
      await page.getByTestId('form-draft-panel').waitFor()

      // The field.
      await page.getByLabel('Nome del campo', { exact: true }).fill('meals_per_week')
      await page.getByLabel('Tipo', { exact: true }).selectOption({ label: 'Numero' })
      await page.getByLabel('Passo del modulo', { exact: true }).selectOption({ label: 'Scuola' })
      await page.locator('#new-label-it').fill(LABEL)
      await page.locator('#new-label-en').fill('Canteen days a week')
      await page.getByRole('button', { name: 'Aggiungi il campo' }).click()
      await page.locator('[data-field="meals_per_week"]').waitFor()
      assert.equal(
        await page.locator('[data-field="meals_per_week"]').getByText('Regole BLOCCO').count(),
        0,
        'no rule reads the new field yet'
      )

      // The options of a choice field, in both languages: the primary school's labels made clearer.
      await page.getByRole('button', { name: 'Modifica Ordine di scuola frequentata' }).click()
      const options = page.locator('#options-school_order')
      assert.equal(
        await options.inputValue(),
        [
          "infanzia | Scuola dell'infanzia (materna) | Pre-school (scuola dell'infanzia)",
          'primaria | Scuola primaria | Primary school',
          'secondaria_primo_grado | Scuola secondaria di primo grado | Lower secondary school',
        ].join('\n')
      )
      await options.fill(
        [
          "infanzia | Scuola dell'infanzia (materna) | Pre-school (scuola dell'infanzia)",
          `primaria | ${PRIMARY_IT} | ${PRIMARY_EN}`,
          'secondaria_primo_grado | Scuola secondaria di primo grado | Lower secondary school',
        ].join('\n')
      )
      const preview = page.getByTestId('form-preview')
      await preview.getByLabel(PRIMARY_IT, { exact: true }).waitFor()
      await page.getByRole('group', { name: 'Lingua dell’anteprima' }).getByRole('button', { name: 'English' }).click()
      await preview.getByLabel(PRIMARY_EN, { exact: true }).waitFor()
      // Beside the preview, the live fee the citizen sees: it follows the data entered in the preview.
      const previewFee = page.getByTestId('preview-fee')
      await previewFee.getByText('Complete the data to see the fee.').waitFor()
      // The fee needs the residence and the two yes/no questions of the ISEE step.
      await preview.getByLabel('Piacenza', { exact: true }).check()
      for (const question of ['Does the child have a disability certified', 'Is the child in foster care?']) {
        await preview.getByRole('group', { name: question }).getByLabel('No', { exact: true }).check()
      }
      await previewFee.getByTestId('preview-fee-amount').filter({ hasText: /^€\d/ }).waitFor()
      await previewFee.scrollIntoViewIfNeeded()
      await guideShot(page, 'form-preview-fee')
      await page.getByRole('button', { name: 'Modifica Ordine di scuola frequentata' }).click()

      // The rule: added, saved as it is, and the draft's check says at the rule what it lacks.
      await rules.getByRole('button', { name: 'Aggiungi una regola' }).click()
      const editor = rules.getByTestId('blocco-rule-editor')
      await editor.waitFor()
      await page.getByTestId('form-save-state').getByText('Bozza salvata alle').waitFor()
      await rules
        .getByTestId('blocco-rule-problems')
        .getByText('Il messaggio della regola BLOCCO serve in italiano e in inglese.')
        .waitFor()
      // Opened again, the draft says at once what its check finds, at the rule.
      await page.reload()
      await page.getByTestId('form-draft-panel').waitFor()
      const fresh = rules.locator('li[data-rule]').last()
      await fresh
        .getByTestId('blocco-rule-problems')
        .getByText('Indicare il riferimento nel bando (articolo, allegato) da cui viene la regola BLOCCO.')
        .waitFor()
      await fresh.getByRole('button', { name: /^Modifica la regola / }).click()
      await editor.waitFor()

      await editor.getByLabel('Codice della regola').fill('troppi_giorni_mensa')
      await editor.getByLabel('Riferimento nel bando (articolo, allegato)').fill('Capitolato, art. 4 (calendario)')
      const condition = editor.getByTestId('blocco-condition')
      await condition.getByLabel('Dato della condizione 1', { exact: true }).selectOption({ label: LABEL })
      await condition
        .getByLabel('Confronto della condizione 1', { exact: true })
        .selectOption({ label: 'è maggiore di' })
      await condition.getByLabel('Valore della condizione 1', { exact: true }).fill('5')
      await editor.getByLabel('Cerca un campo').fill('meals')
      // The check box is drawn by its label (Bootstrap Italia), which takes the click.
      await editor.locator('label', { hasText: LABEL }).click()
      assert.isTrue(await editor.getByRole('checkbox', { name: new RegExp(LABEL) }).isChecked())
      await editor.getByLabel('Messaggio in italiano').fill(MESSAGE_IT)
      await editor.getByLabel('Messaggio in inglese').fill(MESSAGE_EN)
      await editor.getByLabel('Descrizione in italiano').fill(DESCRIPTION)
      await editor.getByLabel('Descrizione in inglese').fill('No more canteen days are asked than the school offers.')
      assert.equal(
        await editor.getByTestId('blocco-summary').innerText(),
        `La regola in parole: quando ${LABEL} maggiore di 5, la domanda non si invia e il messaggio appare su: ${LABEL}.`
      )
      await page.getByTestId('form-save-state').getByText('Bozza salvata alle').waitFor()
      await rules.getByTestId('blocco-rule-problems').waitFor({ state: 'detached' })
      const added = rules.locator('[data-rule="troppi_giorni_mensa"]')
      assert.equal(await added.getByTestId('blocco-rule-description').innerText(), DESCRIPTION)
      assert.equal(await added.getByTestId('blocco-rule-fields').innerText(), LABEL)
      // The builder marks the field the new rule reads and blocks.
      await page.locator('[data-field="meals_per_week"]').getByText('Regole BLOCCO').waitFor()
      await added.evaluate((el) => el.scrollIntoView({ block: 'start', behavior: 'instant' }))
      await guideShot(page, 'form-blocco-rule')
      assert.deepEqual(await seriousViolations(page), [], 'rule editor: axe violations')

      // Tried on sample data, with the draft's rules: which rules fire and where.
      const tryPanel = page.getByTestId('blocco-try')
      assert.isTrue(await tryPanel.getByLabel('Quelle della bozza, come sono ora').isChecked())
      await tryPanel
        .getByLabel('Dati di esempio (JSON, i campi del modulo)')
        .fill(JSON.stringify({ ...sample, meals_per_week: 7 }, null, 2))
      await tryPanel.getByRole('button', { name: 'Prova', exact: true }).click()
      const byField = tryPanel.getByTestId('blocco-try-fields')
      await byField
        .getByRole('row', { name: new RegExp(LABEL) })
        .getByText(MESSAGE_IT)
        .waitFor()
      assert.match(await tryPanel.getByTestId('blocco-try-summary').innerText(), /^1 regole su \d+ bloccano/)
      assert.equal(await tryPanel.getByTestId('blocco-try-source').innerText(), 'Provate le regole della bozza.')
      await tryPanel.scrollIntoViewIfNeeded()
      await guideShot(page, 'form-blocco-try')
      assert.deepEqual(await seriousViolations(page), [], 'try it: axe violations')

      // The version in force today has no such rule: tried on it, nothing fires.
      await tryPanel.locator('label', { hasText: 'Quelle della versione in vigore in un giorno' }).click()
      await tryPanel.getByRole('button', { name: 'Prova', exact: true }).click()
      await tryPanel.getByTestId('blocco-try-source').getByText('Provate le regole della versione 1.').waitFor()
      await tryPanel
        .getByTestId('blocco-try-summary')
        .getByText(/^Nessuna delle \d+ regole blocca/)
        .waitFor()

      await page.getByRole('button', { name: 'Pubblica' }).click()
      await page.getByTestId('designer-notice').getByText('Versione 2 pubblicata').waitFor()
    } finally {
      await staff.close()
    }

    // The server refusing the same data sent past the portal, in it and en: tests/functional/forms/form_designer.spec.ts.
    const family = await openFamilyDraft(citizen.email, tenant.slug, draftId)
    try {
      const page = family.page
      await goToStep(page, 'Scuola')
      // The option relabelled by the designer, with the family's choice kept.
      assert.isTrue(await page.getByLabel(PRIMARY_IT, { exact: true }).isChecked())
      const field = page.locator('.rjsf-field').filter({ has: page.getByLabel(LABEL, { exact: true }) })
      await page.getByLabel(LABEL, { exact: true }).fill('6')
      // The message sits at the field, in the browser, before anything is sent.
      await field.getByText(MESSAGE_IT).waitFor()
      // Sent anyway: the server refuses with the same rule.
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      const summary = page.getByTestId('error-summary')
      await summary.getByText(MESSAGE_IT).waitFor()

      // The designer's limit respected: the application goes through, on the new version.
      await goToStep(page, 'Scuola')
      await page.getByLabel(LABEL, { exact: true }).fill('5')
      await field.getByText(MESSAGE_IT).waitFor({ state: 'detached' })
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      await page.getByTestId('receipt-status').waitFor()
      assert.include(['Inviata', 'Protocollata'], (await page.getByTestId('receipt-status').innerText()).trim())
      assert.equal((await page.getByTestId('receipt-form-version').innerText()).trim(), '2')
    } finally {
      await family.close()
    }
  })
})
