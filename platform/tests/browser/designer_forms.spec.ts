import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import type { ApiClient } from '@japa/api-client'
import { registerWebRoutes } from '#start/routes/web'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeUser } from '#tests/helpers/world'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, LAPTOP, logIn, logInStaff, openBrowser, seriousViolations } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'
import { guideShot } from './designer_world.js'

registerWebRoutes(router)

/**
 * The world before the designer starts: refezione with its first version, a designer allowed to
 * publish (the tenant's setting), and a citizen's application already sent on that version.
 */
async function worldWithEarlierApplication(client: ApiClient) {
  const world = await refezioneTenant()
  const designer = await makeUser(world.tenant, ['designer'])
  await RequestContext.asSystem('test', async () => {
    world.tenant.settings = { ...world.tenant.settings, designer: { designers_publish: true } }
    await world.tenant.save()
  })
  const sent = await client
    .post(`${world.base}/forms/${FORM}/submit`)
    .json({ data: world.sample })
    .loginAs(world.citizen)
  sent.assertStatus(201)
  return { ...world, designer, earlier: sent.body().submission.id as number }
}

test.group('Designer: a field added to the refezione form, published from today', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a designer adds a field and publishes it; the citizen sees it; an earlier application keeps its version', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, designer, earlier } = await worldWithEarlierApplication(client)
    const staff = await openBrowser()
    try {
      const page = staff.page
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, designer.email)
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Moduli' }).click()
      await page.getByRole('heading', { name: 'Moduli', level: 1 }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'forms list: axe violations')
      await guideShot(page, 'forms-list')

      await page.getByRole('link', { name: 'Iscrizione alla refezione scolastica' }).click()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica', level: 1 }).waitFor()
      // Fields that BLOCCO rules read or block are marked.
      await page.locator('[data-field="has_siblings"]').getByText('Regole BLOCCO').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'form page: axe violations')
      await page.getByRole('button', { name: 'Modifica (nuova bozza)' }).click()
      await page.getByTestId('form-draft-panel').waitFor()

      await page.getByLabel('Nome del campo', { exact: true }).fill('allergy_notes')
      await page.getByLabel('Tipo', { exact: true }).selectOption({ label: 'Testo lungo' })
      await page.getByLabel('Passo del modulo', { exact: true }).selectOption({ label: 'Chi presenta la domanda' })
      await page.locator('#new-label-it').fill('Allergie o intolleranze da segnalare')
      await page.locator('#new-label-en').fill('Allergies or intolerances to report')
      await page.getByRole('button', { name: 'Aggiungi il campo' }).click()
      await page.locator('[data-field="allergy_notes"]').waitFor()
      await page.getByTestId('form-save-state').getByText('Bozza salvata alle').waitFor()
      // Added last; moved up three places.
      // The form's own fields (a group lists its fields inside its line).
      const fields = page.getByTestId('form-fields').locator(':scope > li')
      const count = await fields.count()
      assert.equal(await fields.nth(count - 1).getAttribute('data-field'), 'allergy_notes')
      for (let i = 0; i < 3; i++) {
        await page.getByRole('button', { name: 'Sposta su Allergie o intolleranze da segnalare' }).click()
      }
      await page.getByTestId('form-save-state').getByText('Bozza salvata alle').waitFor()
      assert.equal(await fields.nth(count - 4).getAttribute('data-field'), 'allergy_notes')
      await page.getByRole('heading', { name: 'Aggiungi un campo' }).scrollIntoViewIfNeeded()
      await guideShot(page, 'form-draft')
      assert.deepEqual(await seriousViolations(page), [], 'draft: axe violations')

      // The preview is the citizen's renderer, in Italian and in English.
      const preview = page.getByTestId('form-preview')
      await preview.getByText('Allergie o intolleranze da segnalare').waitFor()
      await page.getByRole('group', { name: 'Lingua dell’anteprima' }).getByRole('button', { name: 'English' }).click()
      await preview.getByText('Allergies or intolerances to report').waitFor()
      await preview.scrollIntoViewIfNeeded()
      await guideShot(page, 'form-preview')

      // Side by side: version 1 and the draft.
      await page.getByLabel('Prima', { exact: true }).selectOption({ label: 'Versione 1' })
      await page.getByLabel('Dopo', { exact: true }).selectOption({ label: 'Bozza' })
      await page.getByRole('button', { name: 'Confronta', exact: true }).click()
      const diff = page.getByTestId('form-diff')
      await diff.getByText('Campo aggiunto: Allergie o intolleranze da segnalare').waitFor()
      await diff.scrollIntoViewIfNeeded()
      await guideShot(page, 'form-compare')
      assert.deepEqual(await seriousViolations(page), [], 'compare: axe violations')

      // Published from today (the date the field proposes).
      await page.getByRole('button', { name: 'Pubblica' }).click()
      await page.getByTestId('designer-notice').getByText('Versione 2 pubblicata').waitFor()
      await page.getByTestId('form-versions').getByRole('row', { name: /^2 / }).getByText('In vigore').waitFor()
    } finally {
      await staff.close()
    }

    const family = await openBrowser()
    try {
      const page = family.page
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}`)
      await page.getByLabel('Allergie o intolleranze da segnalare').waitFor()
      // The application sent before keeps the version it was made on.
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/domande/${earlier}`)
      assert.equal((await page.getByTestId('receipt-form-version').innerText()).trim(), '1')
    } finally {
      await family.close()
    }
  })
})
