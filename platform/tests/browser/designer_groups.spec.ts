import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { FORM } from '#tests/functional/forms/world'
import { baseUrl, goToStep, LAPTOP, logInStaff, openBrowser, seriousViolations } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'
import { designerWorldWithDraft, openFamilyDraft, guideShot } from './designer_world.js'

registerWebRoutes(router)

const GROUP = 'Altri figli che frequentano il servizio'
const CLASS_IT = 'Classe frequentata dal fratello o dalla sorella'
const CLASS_EN = 'Class the brother or sister attends'
const PARENT_IT = 'Genitore, tutore o affidatario (pagante)'
const PARENT_EN = 'Parent, guardian or foster carer (payer)'

/** The family's draft lists a sibling, to be finished later. */
const withSibling = (sample: Record<string, unknown>) => ({
  ...sample,
  has_siblings: true,
  siblings: [{ first_name: 'Giulia', last_name: 'Rossi', fiscal_code: 'RSSGLI15A41G535X' }],
})

test.group('Designer: fields inside groups and options of a shared part', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a designer adds a field to the siblings group and relabels a shared choice; published, the family sees both, in Italian and English', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, designer, draftId } = await designerWorldWithDraft(client, withSibling)
    const staff = await openBrowser()
    try {
      const page = staff.page
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, designer.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/moduli/${FORM}`)
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica', level: 1 }).waitFor()
      // The fields of a repeated group are listed under it.
      const siblings = page.locator('[data-field="siblings"]')
      await siblings.locator('[data-field="siblings/*/school_name"]').getByText('Scuola o nido frequentato').waitFor()
      // Inside the group too, the fields a BLOCCO rule reads are marked, and only those.
      await siblings
        .locator('[data-field="siblings/*/school_name"]')
        .getByText('Regole BLOCCO', { exact: true })
        .waitFor()
      assert.equal(
        await siblings
          .locator('[data-field="siblings/*/first_name"]')
          .getByText('Regole BLOCCO', { exact: true })
          .count(),
        0,
        "a sibling's first name, read by no rule, is not marked"
      )
      await page.getByRole('button', { name: 'Modifica (nuova bozza)' }).click()
      await page.getByTestId('form-draft-panel').waitFor()

      // A field added to the group: the items of the list of siblings.
      await siblings.getByRole('button', { name: `Aggiungi un campo a ${GROUP}` }).click()
      const add = siblings.getByRole('region', { name: `Aggiungi un campo a «${GROUP}»` })
      await add.getByLabel('Nome del campo', { exact: true }).fill('class_name')
      await add.getByLabel('Etichetta (italiano)', { exact: true }).fill(CLASS_IT)
      await add.getByLabel('Etichetta (inglese)', { exact: true }).fill(CLASS_EN)
      await add.getByRole('button', { name: 'Aggiungi il campo' }).click()
      const added = siblings.locator('[data-field="siblings/*/class_name"]')
      await added.getByText(CLASS_IT).waitFor()
      await page.getByTestId('form-save-state').getByText('Bozza salvata alle').waitFor()
      // Opened, it says that the group is a shared part of the form, and which fields use it.
      await added.getByRole('button', { name: `Modifica ${CLASS_IT}` }).click()
      await added.getByLabel('Caratteri, al massimo', { exact: true }).fill('20')
      assert.equal(
        (await added.getByTestId('shared-part-siblings--items--class_name').innerText()).trim(),
        'Parte condivisa del modulo (school_fees.siblings, school_fees.sibling): la modifica vale per ogni campo che la usa (siblings).'
      )
      await siblings.evaluate((el) => el.scrollIntoView({ block: 'start', behavior: 'instant' }))
      await guideShot(page, 'form-group-field')
      await added.getByRole('button', { name: `Modifica ${CLASS_IT}` }).click()

      // The options of the applicant's kind live in a shared part: edited here, in both languages.
      const applicant = page.locator('[data-field="applicant_kind"]')
      await applicant.getByRole('button', { name: 'Modifica Chi presenta la domanda' }).click()
      const options = page.locator('#options-applicant_kind')
      const before = await options.inputValue()
      assert.include(before, 'parent | Genitore o tutore (pagante) | Parent or guardian (payer)')
      await options.fill(
        before.replace('Genitore o tutore (pagante) | Parent or guardian (payer)', `${PARENT_IT} | ${PARENT_EN}`)
      )
      await applicant.getByTestId('shared-part-applicant_kind').getByText('school_fees.applicant_kind').waitFor()
      await page.getByTestId('form-save-state').getByText('Bozza salvata alle').waitFor()
      await applicant.scrollIntoViewIfNeeded()
      await guideShot(page, 'form-shared-options')
      assert.deepEqual(await seriousViolations(page), [], 'fields of groups in the draft: axe violations')

      // The draft's check finds nothing to correct; the preview shows the new labels in both languages.
      assert.equal(await page.getByTestId('form-problems').count(), 0, 'no problem listed under the draft')
      const preview = page.getByTestId('form-preview')
      await preview.getByLabel(PARENT_IT, { exact: true }).waitFor()
      await page.getByRole('group', { name: 'Lingua dell’anteprima' }).getByRole('button', { name: 'English' }).click()
      await preview.getByLabel(PARENT_EN, { exact: true }).waitFor()

      // Side by side with version 1: the field added inside the group, the option relabelled.
      await page.getByLabel('Prima', { exact: true }).selectOption({ label: 'Versione 1' })
      await page.getByLabel('Dopo', { exact: true }).selectOption({ label: 'Bozza' })
      await page.getByRole('button', { name: 'Confronta', exact: true }).click()
      const diff = page.getByTestId('form-diff')
      await diff
        .getByRole('row', { name: new RegExp(`Campo aggiunto: ${CLASS_IT}`) })
        .getByText('/siblings/*/class_name')
        .waitFor()
      await diff
        .getByRole('row', { name: /^Chi presenta la domanda: x-i18n/ })
        .getByText(PARENT_EN)
        .waitFor()
      await diff.scrollIntoViewIfNeeded()
      await guideShot(page, 'form-group-compare')

      await page.getByRole('button', { name: 'Pubblica' }).click()
      await page.getByTestId('designer-notice').getByText('Versione 2 pubblicata').waitFor()
    } finally {
      await staff.close()
    }

    const family = await openFamilyDraft(citizen.email, tenant.slug, draftId)
    try {
      const page = family.page
      // The shared choice, relabelled, with the family's answer kept.
      assert.isTrue(await page.getByLabel(PARENT_IT, { exact: true }).isChecked(), `"${PARENT_IT}" chosen`)
      // The sibling listed in the draft gets the new field, and a sibling added gets it too.
      await goToStep(page, 'Famiglia')
      const classes = page.getByLabel(CLASS_IT, { exact: true })
      await classes.first().fill('3A')
      await page.getByRole('button', { name: 'Aggiungi fratello o sorella' }).click()
      await classes.nth(1).waitFor()
      assert.equal(await classes.count(), 2, 'one class field per sibling')
      // The limit the designer set is the citizen's too: sent, the server refuses a longer class.
      await classes.nth(1).fill('x'.repeat(21))
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia' }).click()
      await page.getByTestId('error-summary').getByText('al massimo 20 caratteri').first().waitFor()

      // In English: the group's new field and the shared choice, and no Italian left of them.
      await page.getByRole('button', { name: /English/ }).click()
      await goToStep(page, 'Household')
      await page.getByLabel(CLASS_EN, { exact: true }).first().waitFor()
      assert.equal(await page.getByText(CLASS_IT).count(), 0, `"${CLASS_IT}" still shown in English`)
      await goToStep(page, 'Applicant')
      await page.getByLabel(PARENT_EN, { exact: true }).waitFor()
      assert.equal(await page.getByText(PARENT_IT).count(), 0, `"${PARENT_IT}" still shown in English`)
    } finally {
      await family.close()
    }
  })
})
