import { test } from '@japa/runner'
import { browserKit } from '@sportello/platform/sdk/testing'
import { kit, canteenTenant, child, resetClock, schoolYear, setClock } from '../world.js'
import Alert from '../../models/alert.js'
import Assignment from '../../models/assignment.js'
import Kitchen from '../../models/kitchen.js'
import KitchenSchool from '../../models/kitchen_school.js'
import Order from '../../models/order.js'

const LAPTOP = { width: 1366, height: 900 }
const PHONE = { width: 390, height: 844 }

test.group('Refezione: the back office edits the school calendar', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  test('a class out on a trip: the month shows it, the tablet and the order leave that class out that day', async ({
    assert,
  }) => {
    const { openBrowser, logInStaff, seriousViolations, snap } = await browserKit()
    const { tenant, operator } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    const staff = await kit.member(tenant, ['school_staff'])
    await kit.as(tenant, 'refezione', async () => {
      await Kitchen.create({ code: 'cc-nord', name: 'Centro cottura Nord', demo: false })
      await KitchenSchool.create({ kitchenCode: 'cc-nord', schoolCode: 'alberoni' })
      await Assignment.create({ userId: staff.id, scope: 'school', code: 'alberoni' })
    })
    await child(tenant, parent.id)
    await child(tenant, parent.id, { classYear: '2', section: 'B' })

    setClock('2026-12-01T08:00')
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      await nav.getByRole('link', { name: 'Calendario mensa' }).click()
      await page.getByRole('heading', { name: 'Mensa: calendario scolastico', level: 1 }).waitFor()
      await page.getByRole('heading', { name: 'Dicembre 2026', level: 2 }).waitFor()
      await page.getByLabel('Scuola', { exact: true }).selectOption({ label: 'Scuola primaria Alberoni' })
      await page
        .getByLabel('Per', { exact: true })
        .getByRole('option', { name: 'Classe 2ª B' })
        .waitFor({ state: 'attached' })
      const thursday = page.getByTestId('refezione-day-2026-12-03')
      await thursday.filter({ hasText: 'Mensa' }).waitFor()
      assert.notInclude((await thursday.textContent()) ?? '', '2ª B', 'no class differs before the trip')
      await page.getByTestId('refezione-day-2026-12-05').filter({ hasText: 'Senza mensa' }).waitFor()

      // Class 2ª B is out on a trip on Thursday the 3rd.
      await page.getByLabel('Per', { exact: true }).selectOption({ label: 'Classe 2ª B' })
      await page.getByLabel('Tipo', { exact: true }).selectOption({ label: 'Gita' })
      await page.getByLabel('Dal', { exact: true }).fill('2026-12-03')
      await page.getByLabel('Motivo', { exact: true }).fill('Gita al museo')
      await page.getByRole('button', { name: 'Aggiungi la chiusura' }).click()
      await page
        .getByTestId('refezione-calendar-outcome')
        .filter({ hasText: 'Chiusura aggiunta: Classe 2ª B, Gita al museo, giovedì 3 dicembre 2026.' })
        .waitFor()
      await page
        .getByTestId('refezione-calendar-closures')
        .getByRole('row', { name: /3 dic Gita Classe 2ª B Gita al museo/ })
        .waitFor()
      await thursday.filter({ hasText: '2ª B: Gita' }).waitFor()
      assert.include((await thursday.textContent()) ?? '', 'Mensa', 'the rest of the school still eats')

      // A closure without a reason is refused, in words.
      await page.getByLabel('Dal', { exact: true }).fill('2026-12-04')
      await page.getByLabel('Motivo', { exact: true }).fill('')
      await page.getByRole('button', { name: 'Aggiungi la chiusura' }).click()
      await page.getByRole('alert').filter({ hasText: 'Scrivi il motivo della chiusura' }).waitFor()
      await page.getByTestId('refezione-day-2026-12-04').filter({ hasText: 'Mensa' }).waitFor()

      // 1ª A stops eating on Fridays: a class's own weekdays, the rest of the school as before.
      await page.getByLabel('Scuola o classe').selectOption({ label: 'Classe 1ª A' })
      const friday = page.getByRole('checkbox', { name: 'Venerdì' })
      assert.isTrue(await friday.isChecked(), 'Fridays start as the school has them')
      await page.locator('label[for="refezione-weekday-5"]').click()
      await page.getByRole('button', { name: 'Salva i giorni' }).click()
      await page
        .getByTestId('refezione-weekdays-outcome')
        .filter({ hasText: 'Giorni di mensa salvati: Classe 1ª A.' })
        .waitFor()
      await page.getByTestId('refezione-day-2026-12-04').filter({ hasText: '1ª A: Senza mensa' }).waitFor()
      await page.getByTestId('refezione-day-2026-12-03').filter({ hasText: '2ª B: Gita' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'calendar: axe violations')
      await snap(page, 'refezione-calendar-laptop')
      await page.setViewportSize(PHONE)
      assert.deepEqual(await seriousViolations(page), [], 'calendar on a phone: axe violations')
      await snap(page, 'refezione-calendar-phone')
      await page.setViewportSize(LAPTOP)
      await page.getByRole('button', { name: 'Esci' }).click()

      // Thursday: the school's tablet has one class to close; 2ª B has no canteen.
      setClock('2026-12-03T08:00')
      await logInStaff(page, staff.email)
      await nav.getByRole('link', { name: 'Presenze' }).click()
      await page.getByRole('heading', { name: /Scuola primaria Alberoni · giovedì 3 dicembre 2026/ }).waitFor()
      await page.getByTestId('refezione-open-classes').filter({ hasText: 'Classi da chiudere: 1 su 1' }).waitFor()
      const trip = page.getByTestId('class-2|B')
      await trip.filter({ hasText: 'Senza mensa' }).waitFor()
      assert.isTrue(await trip.isDisabled(), 'a class without canteen cannot be marked')

      // The cut-off: the order counts 1ª A only, and nobody is alerted about 2ª B.
      setClock('2026-12-03T09:35')
      await kit.runJob(tenant, 'refezione', 'cutoff', { day: '2026-12-03' })
      const order = await kit.as(tenant, 'refezione', async () =>
        Order.query().where('kitchen_code', 'cc-nord').where('day', '2026-12-03').firstOrFail()
      )
      assert.deepEqual(
        order.lines.classes.map((l) => [l.class_year, l.section, l.meals]),
        [['1', 'A', 1]],
        'the order for the trip day'
      )
      const alerts = await kit.as(tenant, 'refezione', async () =>
        Alert.query().where('kind', 'class_not_closed').where('day', '2026-12-03')
      )
      assert.deepEqual(
        alerts.map((a) => [a.classYear, a.section]),
        [['1', 'A']]
      )
    } finally {
      await close()
    }
  })

  test('staff shorten the school year on the page: the days after its end have no canteen; a bad range is refused at its field', async ({
    assert,
  }) => {
    const { openBrowser, logInStaff, seriousViolations, snap } = await browserKit()
    const { tenant, operator } = await canteenTenant()
    await schoolYear(tenant)

    setClock('2027-06-01T08:00')
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      await page
        .getByRole('navigation', { name: 'Menu principale' })
        .getByRole('link', { name: 'Calendario mensa' })
        .click()
      await page.getByRole('heading', { name: 'Giugno 2027', level: 2 }).waitFor()
      const friday = page.getByTestId('refezione-day-2027-06-11')
      await friday.filter({ hasText: 'Mensa' }).waitFor()
      assert.notInclude((await friday.textContent()) ?? '', 'Fuori', 'Friday 11 June is in the year before the change')

      const dates = page.getByRole('form', { name: 'Date dell’anno 2026/2027' })
      const last = dates.getByLabel('Ultimo giorno di mensa')
      assert.equal(await last.inputValue(), '2027-06-30', 'the form shows the year as it stands')
      assert.equal(await dates.getByLabel('Primo giorno di mensa').inputValue(), '2026-09-15')

      // Lessons end on Thursday 10 June: from Friday the month has no canteen.
      await last.fill('2027-06-10')
      await dates.getByRole('button', { name: 'Salva le date' }).click()
      await page
        .getByTestId('refezione-year-outcome')
        .filter({ hasText: 'Anno 2026/2027 salvato: dal martedì 15 settembre 2026 al giovedì 10 giugno 2027.' })
        .waitFor()
      await friday.filter({ hasText: 'Fuori dall’anno scolastico' }).waitFor()
      await page.getByTestId('refezione-day-2027-06-10').filter({ hasText: 'Mensa' }).waitFor()

      // An end before the start is refused on the page, at the last day's field.
      await last.fill('2026-09-01')
      await dates.getByRole('button', { name: 'Salva le date' }).click()
      const lastError = page.getByTestId('refezione-year-ends_on-error')
      await lastError.filter({ hasText: 'L’ultimo giorno deve venire dopo il primo' }).waitFor()
      assert.equal(await last.getAttribute('aria-invalid'), 'true', 'the last day is marked invalid')

      // A year that would last more than a year is refused by the server, its message at the same field.
      await last.fill('2027-09-30')
      await dates.getByRole('button', { name: 'Salva le date' }).click()
      await lastError.filter({ hasText: 'Un anno scolastico dura meno di un anno' }).waitFor()
      await friday.filter({ hasText: 'Fuori dall’anno scolastico' }).waitFor()

      // The next school year, created from the page.
      const create = page.getByRole('form', { name: 'Nuovo anno scolastico' })
      assert.equal(await create.getByLabel('Codice dell’anno').inputValue(), '2027/2028', 'the next year is proposed')
      await create.getByLabel('Primo giorno di mensa').fill('2027-09-15')
      await create.getByLabel('Ultimo giorno di mensa').fill('2028-06-09')
      await create.getByRole('button', { name: 'Crea l’anno' }).click()
      await page.getByTestId('refezione-new-year-outcome').filter({ hasText: 'Anno 2027/2028 salvato' }).waitFor()
      await page.getByRole('heading', { name: 'Date dell’anno 2027/2028', level: 2 }).waitFor()
      assert.equal(
        await create.getByLabel('Codice dell’anno').inputValue(),
        '2028/2029',
        'the form then proposes the year after'
      )
      await page.getByRole('heading', { name: 'Settembre 2027', level: 2 }).waitFor()
      await page.getByTestId('refezione-day-2027-09-15').filter({ hasText: 'Mensa' }).waitFor()

      await page.getByLabel('Anno scolastico', { exact: true }).selectOption('2026/2027')
      await dates.getByLabel('Ultimo giorno di mensa').fill('2027-05-01')
      await dates.getByLabel('Primo giorno di mensa').fill('2027-06-01')
      await dates.getByRole('button', { name: 'Salva le date' }).click()
      await lastError.filter({ hasText: 'L’ultimo giorno deve venire dopo il primo' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'school year form: axe violations')
      await lastError.scrollIntoViewIfNeeded()
      await snap(page, 'refezione-calendar-year-laptop')
      await page.setViewportSize(PHONE)
      assert.deepEqual(await seriousViolations(page), [], 'school year form on a phone: axe violations')
      await lastError.scrollIntoViewIfNeeded()
      await snap(page, 'refezione-calendar-year-phone')
    } finally {
      await close()
    }
  })
})
