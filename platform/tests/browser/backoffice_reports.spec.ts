import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import router from '@adonisjs/core/services/router'
import ExcelJS from 'exceljs'
import { registerWebRoutes } from '#start/routes/web'
import { pluginTestKit as kit } from '#sdk/testing'
import { LAPTOP, PHONE, logInStaff, openBrowser, seriousViolations, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

const SCHOOL = {
  code: 'rodari',
  name: 'Scuola primaria Gianni Rodari',
  order: 'primaria',
  services: ['refezione'],
  classes: [{ year: '1', section: 'A' }],
}

test.group('Back office: the reports page', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('an operator opens Report from the menu, prepares an xlsx and downloads it; the kitchen has no entry', async ({
    assert,
  }) => {
    const tenant = await kit.tenant(['refezione'])
    await kit.schools(tenant, [SCHOOL])
    const operator = await kit.member(tenant, ['operator'])
    const kitchen = await kit.member(tenant, ['kitchen'])
    const parent = await kit.member(tenant, ['citizen'])
    for (const [first, birth] of [
      ['Anna', '2019-05-04'],
      ['Bruno', '2019-11-23'],
    ] as const) {
      await kit.enrolment(tenant, 'refezione', {
        schoolYear: '2026/2027',
        applicantUserId: parent.id,
        child: { firstName: first, lastName: 'Verdi', birthDate: birth },
        schoolId: SCHOOL.code,
        section: 'A',
        details: { school_order: 'primaria', class_year: '1' },
      })
    }

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      await nav.getByRole('link', { name: 'Report', exact: true }).click()
      await page.getByRole('heading', { name: 'Report', level: 1 }).waitFor()
      await page.getByRole('heading', { name: 'Refezione scolastica', level: 2 }).waitFor()
      const card = page.getByRole('article', { name: 'Iscritti per scuola' })
      await card.getByText(/^I bambini iscritti nell.anno scolastico/).waitFor()
      // A list: every report closed, its title a button saying so, its parameters out of sight.
      const toggles = page.getByRole('heading', { level: 3 }).getByRole('button')
      const states = await toggles.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-expanded')))
      assert.isAbove(states.length, 1, 'the page lists several reports')
      assert.deepEqual([...new Set(states)], ['false'], `every report starts closed, got ${states.join(', ')}`)
      assert.isFalse(await card.getByLabel(/^Anno scolastico/).isVisible(), 'a closed report shows no parameters')
      assert.deepEqual(await seriousViolations(page), [], 'reports page on a laptop, closed: axe violations')
      await snap(page, 'backoffice-reports-list-laptop')
      // Opened, one at a time: opening another closes the first.
      const toggle = card.getByRole('button', { name: 'Iscritti per scuola' })
      const other = page.getByRole('heading', { level: 3 }).getByRole('button').first()
      assert.notEqual(await other.textContent(), 'Iscritti per scuola', 'the first report listed is another one')
      await other.click()
      await page.locator('h3 button[aria-expanded="true"]').first().waitFor()
      await toggle.click()
      await card.getByLabel(/^Anno scolastico/).waitFor()
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'the report clicked is open')
      assert.equal(await other.getAttribute('aria-expanded'), 'false', 'the report opened before closed')
      assert.equal(await page.locator('h3 button[aria-expanded="true"]').count(), 1, 'one report open at a time')
      assert.deepEqual(await seriousViolations(page), [], 'reports page on a laptop: axe violations')
      await snap(page, 'backoffice-reports-laptop')

      // A school year written wrongly: the platform's message at the field.
      const year = card.getByLabel(/^Anno scolastico/)
      await year.fill('2026-27')
      await card.getByRole('button', { name: 'Prepara Excel (xlsx)' }).click()
      const yearError = card.locator('.invalid-feedback')
      await yearError.waitFor({ timeout: 8000 })
      assert.equal(await year.getAttribute('aria-invalid'), 'true', 'the wrong school year is marked invalid')
      assert.include(await yearError.textContent(), 'AAAA/AAAA', 'the school year error says the form expected')

      // Right, with the school picked by name: a run, its progress, then the download.
      await year.fill('2026/2027')
      await card.getByLabel(/^Scuola/).selectOption({ label: SCHOOL.name })
      await card.getByRole('button', { name: 'Prepara Excel (xlsx)' }).click()
      const link = card.getByRole('link', { name: 'Scarica Excel (xlsx)' })
      await link.waitFor({ timeout: 20000 })
      assert.equal(
        await card
          .getByRole('progressbar', { name: 'Avanzamento di «Iscritti per scuola»' })
          .getAttribute('aria-valuenow'),
        '100'
      )
      assert.include(await card.getByTestId(/-run$/).textContent(), '2 righe su 2')
      assert.deepEqual(await seriousViolations(page), [], 'reports page with a finished run: axe violations')
      await snap(page, 'backoffice-reports-ready-laptop')
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
      assert.match(download.suggestedFilename(), /^refezione\.iscritti-per-scuola-\d{4}-\d{2}-\d{2}\.xlsx$/)
      const path = await download.path()
      const book = new ExcelJS.Workbook()
      await book.xlsx.load((await readFile(path)) as unknown as ArrayBuffer)
      const sheet = book.worksheets[0]
      const header = (sheet.getRow(1).values as unknown[]).slice(1)
      assert.deepEqual(
        header,
        ['Scuola', 'Classe', 'Sezione', 'Cognome', 'Nome', 'Codice fiscale', 'Data di nascita'],
        'the header in Italian'
      )
      const anna = sheet.getRow(2)
      assert.equal(anna.getCell(1).value, SCHOOL.name)
      assert.equal(anna.getCell(5).value, 'Anna')
      const birth = anna.getCell(7).value
      assert.instanceOf(birth, Date, `the birth date is a date cell, got ${JSON.stringify(birth)}`)
      assert.equal((birth as Date).toISOString().slice(0, 10), '2019-05-04')

      // Keyboard: the fields and the buttons are reached with Tab.
      await year.focus()
      await page.keyboard.press('Tab')
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'school_code')

      await page.setViewportSize(PHONE)
      await page.getByRole('heading', { name: 'Report', level: 1 }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'reports page on a phone: axe violations')
      await snap(page, 'backoffice-reports-phone')
      await page.setViewportSize(LAPTOP)

      // The same page in English: the titles, descriptions and fields in the reader's language.
      await page.getByRole('button', { name: /English/ }).click()
      await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor()
      const english = page.getByRole('article', { name: 'Enrolled children by school' })
      await english.getByText(/^The children enrolled in the school year/).waitFor()
      await english.getByLabel(/^School year/).waitFor()
      await english.getByRole('button', { name: 'Prepare CSV' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'reports page in English: axe violations')
      await snap(page, 'backoffice-reports-en-laptop')
      await page.getByRole('button', { name: /Italiano/ }).click()
      await page.getByRole('heading', { name: 'Report', level: 1 }).waitFor()
      await page.getByRole('button', { name: 'Esci' }).click()

      // The kitchen may not read reports: no entry in its menu.
      await logInStaff(page, kitchen.email)
      await page.getByRole('heading', { name: 'Scrivania', level: 1 }).waitFor()
      const entries = await nav.getByRole('link').allTextContents()
      assert.notInclude(entries, 'Report', `kitchen menu: ${entries.join(', ')}`)
    } finally {
      await close()
    }
  })
})
