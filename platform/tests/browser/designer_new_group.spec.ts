import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { FORM } from '#tests/functional/forms/world'
import { baseUrl, goToStep, LAPTOP, logInStaff, openBrowser, seriousViolations } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'
import { designerWorldWithDraft, openFamilyDraft } from './designer_world.js'

registerWebRoutes(router)

const GROUP_IT = 'Animale domestico in casa'
const GROUP_EN = 'Pet at home'
const FIELD_IT = 'Specie dell’animale'
const FIELD_EN = 'Species of the pet'

test.group('Designer: a new repeated group', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a designer makes a repeated group with one required field and publishes it; the family adds an item and cannot send it without the field', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, designer, draftId } = await designerWorldWithDraft(client)
    const staff = await openBrowser()
    try {
      const page = staff.page
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, designer.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/moduli/${FORM}`)
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica', level: 1 }).waitFor()
      await page.getByRole('button', { name: 'Modifica (nuova bozza)' }).click()
      await page.getByTestId('form-draft-panel').waitFor()

      // The group: a repeated group, in the household step, up to 3 items.
      await page.getByLabel('Nome del campo', { exact: true }).fill('pets')
      await page.getByLabel('Tipo', { exact: true }).selectOption({ label: 'Gruppo ripetibile' })
      await page.getByLabel('Passo del modulo', { exact: true }).selectOption({ label: 'Famiglia' })
      await page.locator('#new-label-it').fill(GROUP_IT)
      await page.locator('#new-label-en').fill(GROUP_EN)
      await page.getByLabel('Elementi, al massimo', { exact: true }).fill('3')
      await page.getByRole('button', { name: 'Aggiungi il campo' }).click()
      const pets = page.locator('[data-field="pets"]')
      await pets.getByText('Gruppo ripetibile', { exact: true }).waitFor()

      // Its field, through the group's own "add a field".
      await pets.getByRole('button', { name: `Aggiungi un campo a ${GROUP_IT}` }).click()
      const add = pets.getByRole('region', { name: `Aggiungi un campo a «${GROUP_IT}»` })
      await add.getByLabel('Nome del campo', { exact: true }).fill('species')
      await add.getByLabel('Etichetta (italiano)', { exact: true }).fill(FIELD_IT)
      await add.getByLabel('Etichetta (inglese)', { exact: true }).fill(FIELD_EN)
      // The tick box is drawn by its label (Bootstrap Italia): ticked as a person does, on the label.
      await add.locator('label', { hasText: 'Obbligatorio' }).click()
      assert.isTrue(await add.getByLabel('Obbligatorio', { exact: true }).isChecked(), '"Obbligatorio" ticked')
      await add.getByRole('button', { name: 'Aggiungi il campo' }).click()
      await pets.locator('[data-field="pets/*/species"]').getByText(FIELD_IT).waitFor()
      await page.getByTestId('form-save-state').getByText('Bozza salvata alle').waitFor()
      assert.equal(await page.getByTestId('form-problems').count(), 0, 'no problem listed under the draft')
      assert.deepEqual(await seriousViolations(page), [], 'a new group in the draft: axe violations')

      await page.getByRole('button', { name: 'Pubblica' }).click()
      await page.getByTestId('designer-notice').getByText('Versione 2 pubblicata').waitFor()
    } finally {
      await staff.close()
    }

    const family = await openFamilyDraft(citizen.email, tenant.slug, draftId)
    try {
      const page = family.page
      await goToStep(page, 'Famiglia')
      await page.getByRole('button', { name: `Aggiungi ${GROUP_IT.toLowerCase()}`, exact: true }).click()
      const species = page.getByLabel(FIELD_IT)
      await species.waitFor()
      // Sent with the item's field empty: refused, and the refusal leads to that field.
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      const summary = page.getByTestId('error-summary')
      await summary.waitFor()
      const text = (await summary.textContent()) ?? ''
      assert.include(text, FIELD_IT, `the refusal names "${FIELD_IT}"; it said: ${text}`)
      await summary.getByRole('link', { name: new RegExp(FIELD_IT) }).click()
      // The link leads back to the item's field, on its step.
      await page
        .waitForFunction(() => document.activeElement?.id === 'root_pets_0_species', null, { timeout: 15_000 })
        .catch(async () => {
          const focused = await page.evaluate(() => document.activeElement?.id ?? '(none)')
          throw new Error(`expected the focus on root_pets_0_species, it is on ${focused}`)
        })
    } finally {
      await family.close()
    }
  })
})
