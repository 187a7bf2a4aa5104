import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import RuleSetDraft from '#models/rule_set_draft'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { LAPTOP, logInStaff, openBrowser, seriousViolations } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'
import { guideShot } from './designer_world.js'

registerWebRoutes(router)

const FROM = '2031-09-01'
const AFTER = '2031-10-01'

test.group('Designer: named conditions point and click, constants with their reference', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a designer moves a band threshold with the condition editor, fixes a constant, saves and runs the cases', async ({
    assert,
  }) => {
    const tenant = await makeTenant({ name: 'Comune di Prova Condizioni' })
    await pluginService.enable(tenant, 'refezione')
    const designer = await makeUser(tenant, ['designer'])
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, designer.email)
      await page
        .getByRole('navigation', { name: 'Menu principale' })
        .getByRole('link', { name: 'Regole e tariffe' })
        .click()
      await page.getByRole('link', { name: 'Refezione scolastica: tariffa a pasto' }).click()
      await page.getByLabel('Valida dal').fill(FROM)
      await page.getByRole('button', { name: 'Nuova versione da questa data' }).click()
      await page.getByTestId('draft-panel').waitFor()

      // The band "ridotta" is ISEE above 4,300 and at most 9,000: the designer moves its top to 9,500.
      const ridotta = page.getByTestId('condition-editor-isee_ridotta')
      const words = ridotta.getByTestId('condition-editor-isee_ridotta-words')
      assert.include(await words.innerText(), 'maggiore di 4.300,00 € e isee minore o uguale a 9.000,00 €')
      assert.equal(await ridotta.getByLabel('Confronto della condizione 1.2').inputValue(), 'lessThanInclusive')
      const top = ridotta.getByLabel('Valore della condizione 1.2')
      await top.fill('9500,5')
      await words.getByText('minore o uguale a 9.500,50 €').waitFor()
      // A wrong amount is said at the field and not kept.
      await top.fill('9.500,50')
      await ridotta.getByText('Scrivi un numero, con il punto o la virgola per i decimali').waitFor()
      assert.equal(await top.getAttribute('aria-invalid'), 'true')
      await top.fill('9500')
      await words.getByText('minore o uguale a 9.500,00 €').waitFor()
      // The keyboard reaches every control: a new comparison added and taken away again.
      await ridotta.getByRole('button', { name: 'Aggiungi condizione al gruppo 1' }).focus()
      await page.keyboard.press('Enter')
      await ridotta.getByLabel('Dato della condizione 1.3').waitFor()
      await ridotta.getByRole('button', { name: 'Rimuovi la condizione 1.3' }).click()
      assert.equal(await ridotta.getByLabel('Dato della condizione 1.3').count(), 0)

      // The JSON toggle shows the same condition, as the engine reads it.
      await ridotta.getByRole('button', { name: 'Modifica come JSON' }).click()
      const json = JSON.parse(await ridotta.getByLabel('isee_ridotta (JSON)').inputValue())
      assert.deepEqual(json, {
        all: [
          { fact: 'isee', operator: 'greaterThan', value: 4300 },
          { fact: 'isee', operator: 'lessThanInclusive', value: 9500 },
        ],
      })
      await ridotta.getByRole('button', { name: 'Modifica con i controlli' }).click()
      await page.getByTestId('condition-editor-isee_minima').scrollIntoViewIfNeeded()
      await guideShot(page, 'ruleset-conditions')

      // A constant: its amount with a comma is kept with a point; without a reference it is marked.
      const constant = page.getByTestId('constant-tariffa_non_residenti')
      await constant.getByLabel('Valore di tariffa_non_residenti').fill('5,95')
      const reference = constant.getByLabel('Riferimento di tariffa_non_residenti')
      const article = await reference.inputValue()
      await reference.fill('')
      await constant.getByText('Indica l’articolo o l’allegato del bando').waitFor()
      await constant.scrollIntoViewIfNeeded()
      await guideShot(page, 'ruleset-constants')
      assert.deepEqual(await seriousViolations(page), [], 'conditions and constants: axe violations')
      await reference.fill(article)
      assert.equal(await constant.getByText('Indica l’articolo o l’allegato del bando').count(), 0)

      // A case for the new period: ISEE 9,200 is now in the reduced band.
      await page.getByRole('button', { name: 'Aggiungi un caso' }).click()
      const count = await page.getByTestId('cases').locator('tbody tr').count()
      await page
        .getByLabel(`Che cosa prova (una frase) ${count}`)
        .fill('Dal 1° settembre 2031 un figlio unico residente con ISEE 9.200 è nella fascia ridotta.')
      await page.getByLabel(`Data ${count}`).fill(AFTER)
      await page.getByLabel(`Dati (JSON) ${count}`).fill('{ "residence": "piacenza", "isee": 9200 }')
      await page.getByLabel(`Atteso (JSON) ${count}`).fill('{ "band": "ridotta" }')
      await page.getByTestId('save-state').getByText('Bozza salvata alle').waitFor()

      // Saved: the page opened again shows the condition and the constant as they were left.
      await page.reload()
      await page.getByTestId('draft-panel').waitFor()
      assert.equal(
        await page.getByTestId('condition-editor-isee_ridotta').getByLabel('Valore della condizione 1.2').inputValue(),
        '9500'
      )
      assert.equal(await page.getByLabel('Valore di tariffa_non_residenti').inputValue(), '5.95')
      const draft = await RequestContext.withTenant(tenant.ref, () => RuleSetDraft.query().firstOrFail())
      const body = draft.body as {
        conditions: Record<string, unknown>
        parameters: Record<string, { value: unknown; reference: string }>
      }
      assert.deepEqual(body.conditions.isee_ridotta, json)
      assert.equal(body.parameters.tariffa_non_residenti.value, '5.95')
      assert.equal(body.parameters.tariffa_non_residenti.reference, article)

      // In English the editor and the words below it are English too.
      await page.getByRole('button', { name: /^EN/ }).click()
      const english = page.getByTestId('condition-editor-isee_ridotta')
      await english.getByRole('button', { name: 'Edit as JSON' }).waitFor()
      assert.equal(
        await english.getByTestId('condition-editor-isee_ridotta-words').innerText(),
        'In words: isee greater than €4,300.00 and isee at most €9,500.00'
      )
      assert.equal(await english.getByLabel('Comparison of condition 1.2').inputValue(), 'lessThanInclusive')
      assert.deepEqual(await seriousViolations(page), [], 'conditions in English: axe violations')
      await page.getByRole('button', { name: /^IT/ }).click()
      await page.getByRole('button', { name: 'Modifica come JSON' }).first().waitFor()

      await page.getByRole('button', { name: 'Esegui i casi' }).click()
      await page.getByTestId('run-summary').waitFor()
      assert.match(await page.getByTestId('run-summary').innerText(), / 0 non superati$/)
      assert.include(await page.getByTestId(`case-${count}-outcome`).innerText(), 'superato')
    } finally {
      await close()
    }
  })
})
