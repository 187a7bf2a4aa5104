import { test } from '@japa/runner'
import { browserKit } from '@sportello/platform/sdk/testing'
import { kit, canteenTenant, child, resetClock, schoolYear, setClock } from '../world.js'
import Assignment from '../../models/assignment.js'
import MealRequest from '../../models/meal_request.js'

const LAPTOP = { width: 1366, height: 900 }
const PHONE = { width: 390, height: 844 }

test.group('Refezione: a family cancels a meal from the citizen portal, and the school sees it', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  test('cancel tomorrow, a plain meal another day, withdraw one; today after the cut-off is refused; the class shows the cancellation', async ({
    assert,
  }) => {
    const { openBrowser, logIn, logInStaff, seriousViolations, snap } = await browserKit()
    const { tenant } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    const stranger = await kit.member(tenant, ['citizen'])
    const staff = await kit.member(tenant, ['school_staff'])
    await kit.as(tenant, 'refezione', () => Assignment.create({ userId: staff.id, scope: 'school', code: 'alberoni' }))
    const anna = await child(tenant, parent.id)
    const bruno = await child(tenant, parent.id)
    const annaName = `${anna.child.firstName} Rossi`
    const brunoName = `${bruno.child.firstName} Rossi`
    const requests = () =>
      kit.as(tenant, 'refezione', async () =>
        (await MealRequest.query().orderBy('day')).map((r) => [r.enrolmentId, r.day, r.kind])
      )

    // Tuesday 1 December 2026, before the 9:30 cut-off.
    setClock('2026-12-01T08:10')
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      const nav = page.getByRole('navigation', { name: 'Menu principale' })

      // A citizen without a child in the canteen gets no canteen entry, once the portal has asked.
      // Registered before the login, whose own steps may take long on a loaded machine: a generous bound.
      const asked = page.waitForResponse((r) => /\/enrolments\?service=refezione&status=active/.test(r.url()), {
        timeout: 90_000,
      })
      await logIn(page, stranger.email)
      await asked
      await nav.getByRole('link', { name: 'Pagamenti' }).waitFor()
      assert.notInclude(await nav.getByRole('link').allTextContents(), 'Mensa', 'no canteen entry without a child')
      await page.getByRole('button', { name: 'Esci' }).click()

      // The parent has one: the entry opens the page.
      await logIn(page, parent.email)
      await nav.getByRole('link', { name: 'Mensa' }).click()
      await page.getByRole('heading', { name: 'Mensa: disdette e pasti in bianco', level: 1 }).waitFor()
      await page
        .getByTestId('refezione-family-window')
        .filter({ hasText: 'per oggi fino alle 09:30, per i giorni seguenti fino a giovedì 31 dicembre 2026' })
        .waitFor()
      await page.getByLabel('Bambino o bambina').selectOption({ label: brunoName })
      await page.getByRole('heading', { name: `Le richieste per ${brunoName}` }).waitFor()
      const outcome = page.getByTestId('refezione-family-outcome')
      const row = (day: string) => page.getByTestId(`refezione-family-request-${day}`)
      // Bootstrap Italia draws the radio on its label: the label is what one clicks.
      const choose = async (kind: string) => {
        await page.locator('label', { hasText: kind }).click()
        assert.isTrue(await page.getByRole('radio', { name: kind }).isChecked(), `${kind} chosen`)
      }

      // Tomorrow's meal cancelled.
      await page.getByLabel('Giorno', { exact: true }).fill('2026-12-02')
      await choose('Disdetta del pasto')
      await page.getByRole('button', { name: 'Invia la richiesta' }).click()
      await outcome.filter({ hasText: 'Registrato: disdetta del pasto per mercoledì 2 dicembre 2026.' }).waitFor()
      await row('2026-12-02').filter({ hasText: 'Disdetta del pasto' }).waitFor()

      // A plain meal on Friday.
      await page.getByLabel('Giorno', { exact: true }).fill('2026-12-04')
      await choose('Pasto in bianco')
      await page.getByRole('button', { name: 'Invia la richiesta' }).click()
      await outcome.filter({ hasText: 'Registrato: pasto in bianco per venerdì 4 dicembre 2026.' }).waitFor()
      await row('2026-12-04').filter({ hasText: 'Pasto in bianco' }).waitFor()
      assert.lengthOf(await page.getByTestId('refezione-family-requests').locator('tbody tr').all(), 2)
      assert.deepEqual(await requests(), [
        [bruno.id, '2026-12-02', 'cancel'],
        [bruno.id, '2026-12-04', 'plain'],
      ])
      assert.deepEqual(await seriousViolations(page), [], 'family page: axe violations')
      await snap(page, 'refezione-family-laptop')

      // Withdrawn: Friday's meal is as usual again.
      await page.getByRole('button', { name: 'Ritira la richiesta per venerdì 4 dicembre 2026' }).click()
      await outcome.filter({ hasText: 'Richiesta per venerdì 4 dicembre 2026 ritirata' }).waitFor()
      await row('2026-12-04').waitFor({ state: 'detached' })
      await row('2026-12-02').waitFor()
      assert.deepEqual(await requests(), [[bruno.id, '2026-12-02', 'cancel']])

      // On a phone, the same page in one column.
      await page.setViewportSize(PHONE)
      assert.deepEqual(await seriousViolations(page), [], 'family page on a phone: axe violations')
      await snap(page, 'refezione-family-phone')
      await page.setViewportSize(LAPTOP)

      // 9:40: today is closed. Asking anyway is refused, saying when it closed.
      setClock('2026-12-01T09:40')
      await page.reload()
      await page.getByTestId('refezione-family-today-closed').filter({ hasText: 'chiuse alle 09:30' }).waitFor()
      await page.getByLabel('Bambino o bambina').selectOption({ label: annaName })
      await page.getByRole('heading', { name: `Le richieste per ${annaName}` }).waitFor()
      await page.getByLabel('Giorno', { exact: true }).fill('2026-12-01')
      await choose('Disdetta del pasto')
      await page.getByRole('button', { name: 'Invia la richiesta' }).click()
      const refusal = page.getByRole('alert').filter({ hasText: 'Richiesta non accolta' })
      await refusal.waitFor()
      const refused = (await refusal.textContent()) ?? ''
      assert.include(
        refused,
        'per oggi (2026-12-01) si sono chiuse alle 09:30',
        `the refusal names the time: ${refused}`
      )
      assert.deepEqual(await requests(), [[bruno.id, '2026-12-02', 'cancel']], 'nothing recorded after the cut-off')
      assert.deepEqual(await seriousViolations(page), [], 'refusal: axe violations')
      await snap(page, 'refezione-family-refused')

      // In English.
      await page.getByRole('button', { name: /English/ }).click()
      await page.getByRole('heading', { name: 'Canteen: cancellations and plain meals', level: 1 }).waitFor()
      await page.getByTestId('refezione-family-today-closed').filter({ hasText: 'closed at 09:30' }).waitFor()
      await page.getByRole('button', { name: /Italiano/ }).click()
      await page.getByRole('heading', { name: 'Mensa: disdette e pasti in bianco', level: 1 }).waitFor()
      await page.getByRole('button', { name: 'Esci' }).click()

      // Wednesday morning: the school's tablet shows Bruno absent by his family's cancellation.
      setClock('2026-12-02T08:00')
      await logInStaff(page, staff.email)
      await nav.getByRole('link', { name: 'Presenze' }).click()
      await page.getByRole('heading', { name: /Scuola primaria Alberoni · mercoledì 2 dicembre 2026/ }).waitFor()
      await page.getByTestId('class-1|A').click()
      await page.getByRole('heading', { name: 'Classe 1ª A' }).waitFor()
      const brunoRow = page.getByTestId(`child-${bruno.id}`)
      await brunoRow.getByText('Disdetto dalla famiglia').waitFor()
      await brunoRow.getByTestId('child-state').filter({ hasText: 'Assente' }).waitFor()
      await page.getByTestId(`child-${anna.id}`).getByTestId('child-state').filter({ hasText: 'Presente' }).waitFor()
    } finally {
      await close()
    }
  })
})
