import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import type { Locator, Page } from 'playwright-core'
import { registerWebRoutes } from '#start/routes/web'
import { makeUser } from '#tests/helpers/world'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { it as italian } from '../../web/src/i18n/it.js'
import { baseUrl, goToStep, LAPTOP, logIn, logInStaff, openBrowser, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

/**
 * The Italian texts of the form's own controls (the upload, the catalog selects): none may show in
 * a form drawn in English. Placeholders are cut off, and only texts long enough to be told apart.
 */
const ITALIAN_CONTROLS = [...Object.values(italian.upload), ...Object.values(italian.catalog)]
  .map((text) => text.split('{{')[0].trim())
  .filter((text) => text.length >= 6)

/** Every Italian control text found in a part of the page (the text and the options of its selects). */
async function italianIn(scope: Locator): Promise<string[]> {
  const text = await scope.innerText()
  const options = await scope.locator('option').allTextContents()
  const all = [text, ...options].join('\n')
  return ITALIAN_CONTROLS.filter((phrase) => all.includes(phrase))
}

async function englishOnly(page: Page, scope: Locator, where: string) {
  const found = await italianIn(scope)
  if (found.length) {
    await snap(page, `italian-in-${where}`)
    throw new Error(`${where}: expected English only, Italian seen: ${JSON.stringify(found)}`)
  }
}

test.group('Designer and portal: a form drawn in English is in English, its controls included', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the preview switched to English shows the upload and the catalog selects in English, on an Italian page', async ({
    assert,
  }) => {
    const { tenant } = await refezioneTenant()
    const designer = await makeUser(tenant, ['designer'])
    const staff = await openBrowser()
    try {
      const page = staff.page
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, designer.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio/moduli/${FORM}`)
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica', level: 1 }).waitFor()
      const preview = page.getByTestId('form-preview')
      await preview.getByText('Scegli un file').first().waitFor()

      await page.getByRole('group', { name: 'Lingua dell’anteprima' }).getByRole('button', { name: 'English' }).click()
      await preview.getByText('Choose a file').first().waitFor()
      // The school's select waits for the school level, and says so in English.
      await preview.getByText('Choose the school level first.').first().waitFor()
      assert.isAbove(await preview.locator('option', { hasText: 'Select…' }).count(), 0, 'an English placeholder')
      await englishOnly(page, preview, 'preview in English')
      await preview.getByText('Choose a file').first().scrollIntoViewIfNeeded()
      await snap(page, 'designer-preview-en-upload')
      await preview.getByText('Choose the school level first.').first().scrollIntoViewIfNeeded()
      await snap(page, 'designer-preview-en-school')
      // The page around it stays Italian.
      await page.getByRole('heading', { name: 'Anteprima (come la vedrà il cittadino)' }).waitFor()

      // And back: Italian again.
      await page.getByRole('group', { name: 'Lingua dell’anteprima' }).getByRole('button', { name: 'Italiano' }).click()
      await preview.getByText('Scegli un file').first().waitFor()
      assert.equal(await preview.getByText('Choose a file').count(), 0, 'no English left in the Italian preview')
    } finally {
      await staff.close()
    }
  })

  test('the citizen who switches the portal to English fills a form with no Italian control left', async () => {
    const { tenant, citizen } = await refezioneTenant()
    const family = await openBrowser()
    try {
      const page = family.page
      await page.setViewportSize(LAPTOP)
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}`)
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()
      await page.getByRole('button', { name: /English/ }).click()
      await page.getByRole('heading', { name: 'School canteen enrolment' }).waitFor()
      const form = page.locator('main')
      await goToStep(page, 'School')
      await page.getByText('Choose the school level first.').first().waitFor()
      await englishOnly(page, form, 'School step')
      await snap(page, 'portal-en-school')
      await goToStep(page, 'Declarations and identity document')
      await page.getByText('Choose a file').first().waitFor()
      await englishOnly(page, form, 'Declarations step')
      await snap(page, 'portal-en-declarations')
    } finally {
      await family.close()
    }
  })
})
