import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import router from '@adonisjs/core/services/router'
import type { Locator } from 'playwright-core'
import { registerWebRoutes } from '#start/routes/web'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, goToStep, openBrowser, seriousViolations, snap, snapWide, logIn } from './portal.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

const options = (select: Locator) => select.locator('option').allTextContents()
const chosen = (select: Locator) => select.locator('option:checked').textContent()

test.group('Portale cittadino: scuola, classe e sezione dal catalogo del Comune', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('order, school, class and section are dropdowns narrowed by the choices above', async ({ assert, client }) => {
    const { citizen, base, sample } = await refezioneTenant()
    // A draft with no school chosen yet.
    const data = { ...sample }
    for (const key of ['school_order', 'school_id', 'class_year', 'section']) delete data[key]
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data }).loginAs(citizen)
    draft.assertStatus(201)
    const slug = base.split('/').at(-1)!

    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${slug}/moduli/${FORM}?bozza=${draft.body().submission.id}`)
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()
      await goToStep(page, 'Scuola')

      // Each select is reached by its label; class and section wait, disabled, for the school.
      const school = page.getByLabel(/^Scuola \(plesso con servizio mensa\)\*?$/)
      const classYear = page.getByLabel(/^Classe\*?$/)
      const section = page.getByLabel(/^Sezione\*?$/)
      await page.getByText('Scegli prima la scuola.').first().waitFor()
      assert.isTrue(await classYear.isDisabled())
      assert.isTrue(await section.isDisabled())

      await page.getByLabel('Scuola primaria', { exact: true }).check()
      await school.locator('option', { hasText: 'Scuola primaria Carducci' }).waitFor({ state: 'attached' })
      const primarie = await options(school)
      assert.includeMembers(primarie, [
        'Scuola primaria Alberoni',
        'Scuola primaria Carducci',
        'Scuola primaria Vittorino da Feltre',
      ])
      assert.notInclude(primarie, 'Scuola primaria Mazzini (plesso chiuso)')
      assert.notInclude(primarie, "Scuola dell'infanzia Farnesiana")

      await school.selectOption({ label: 'Scuola primaria Alberoni' })
      await classYear.locator('option', { hasText: '5ª' }).waitFor({ state: 'attached' })
      assert.includeMembers(await options(classYear), ['1ª', '2ª', '3ª', '4ª', '5ª'])
      await classYear.selectOption({ label: '2ª' })
      await section.locator('option', { hasText: 'B' }).waitFor({ state: 'attached' })
      await section.selectOption({ label: 'B' })
      assert.equal(await chosen(section), 'B')
      assert.deepEqual(await seriousViolations(page), [], 'form page with the catalog selects: axe violations')
      await school.scrollIntoViewIfNeeded()
      await snap(page, 'catalog-01-phone')
      await snapWide(page, 'catalog-02-desktop')

      // Another order: the school no longer fits and is cleared, and so are class and section.
      await page.getByLabel("Scuola dell'infanzia (materna)", { exact: true }).check()
      await school.locator('option', { hasText: "Scuola dell'infanzia Farnesiana" }).waitFor({ state: 'attached' })
      assert.notInclude(await options(school), 'Scuola primaria Alberoni')
      assert.equal((await chosen(school))?.trim(), 'Seleziona…')
      await page.getByText('Scegli prima la scuola.').first().waitFor()
      assert.isTrue(await section.isDisabled())

      await school.selectOption({ label: "Scuola dell'infanzia Farnesiana" })
      await section.locator('option', { hasText: 'C' }).waitFor({ state: 'attached' })
      await section.selectOption({ label: 'C' })
      await page.getByRole('button', { name: 'Salva bozza' }).click()
      await page.getByText('Bozza salvata.').waitFor()
      const saved = await client.get(`${base}/submissions/${draft.body().submission.id}`).loginAs(citizen)
      const stored = saved.body().submission.data
      assert.equal(stored.school_order, 'infanzia')
      assert.equal(stored.school_id, 'pc-infanzia-farnesiana')
      assert.equal(stored.section, 'C')
      assert.notProperty(stored, 'class_year')
    } catch (error) {
      await snap(page, 'catalog-failure', { html: true })
      throw error
    } finally {
      await close()
    }
  })
})
