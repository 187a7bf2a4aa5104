import { test } from '@japa/runner'
import { browserKit } from '@sportello/platform/sdk/testing'
import { kit, canteenTenant, child, resetClock, schoolYear, setClock } from '../world.js'
import Assignment from '../../models/assignment.js'
import Alert from '../../models/alert.js'
import ClassDay from '../../models/class_day.js'
import Kitchen from '../../models/kitchen.js'
import KitchenSchool from '../../models/kitchen_school.js'
import Mark from '../../models/mark.js'
import AdultMeal from '../../models/adult_meal.js'
import Order from '../../models/order.js'

/** A 10" tablet held in landscape, and a phone. */
const TABLET_LANDSCAPE = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

test.group('Refezione: the canteen day on the tablet, offline included, to the kitchen', (group) => {
  group.each.setup(() => kit.isolate())
  group.each.teardown(() => resetClock())

  test('school staff mark a class offline, the marks arrive once, and the kitchen confirms the order at the cut-off', async ({
    client,
    assert,
  }) => {
    const { openBrowser, logInStaff, seriousViolations, snap } = await browserKit()
    const { tenant } = await canteenTenant()
    await schoolYear(tenant)
    const parent = await kit.member(tenant, ['citizen'])
    const staff = await kit.member(tenant, ['school_staff'])
    const cook = await kit.member(tenant, ['kitchen'])
    await kit.as(tenant, 'refezione', async () => {
      await Kitchen.create({ code: 'cc-nord', name: 'Centro cottura Nord', demo: false })
      await KitchenSchool.create({ kitchenCode: 'cc-nord', schoolCode: 'alberoni' })
      await KitchenSchool.create({ kitchenCode: 'cc-nord', schoolCode: 'besurica' })
      await Assignment.create({ userId: staff.id, scope: 'school', code: 'alberoni' })
      await Assignment.create({ userId: cook.id, scope: 'kitchen', code: 'cc-nord' })
    })
    const anna = await child(tenant, parent.id, { diet: 'vegetarian' })
    const bruno = await child(tenant, parent.id)
    const carla = await child(tenant, parent.id, { diet: 'medical' })
    // Dario, in 2ª B, which nobody closes.
    const dario = await child(tenant, parent.id, { classYear: '2', section: 'B' })
    const api = `/api/v1/t/${tenant.slug}/refezione`
    const marks = () => kit.as(tenant, 'refezione', async () => Mark.query().where('day', '2026-12-01'))

    // Before the cut-off, Bruno's family cancels today's meal from the citizen's side.
    setClock('2026-12-01T08:10')
    const cancel = await client
      .put(`${api}/my/children/${bruno.id}/days/2026-12-01`)
      .json({ kind: 'cancel' })
      .loginAs(parent)
    cancel.assertStatus(200)

    const { context, page, close } = await openBrowser()
    try {
      await page.setViewportSize(TABLET_LANDSCAPE)
      await logInStaff(page, staff.email)
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Presenze' }).click()
      await page.getByRole('heading', { name: 'Mensa: presenze del giorno', level: 1 }).waitFor()
      // Their school only, today by the server's clock; both classes still to close.
      await page.getByRole('heading', { name: /Scuola primaria Alberoni · martedì 1 dicembre 2026/ }).waitFor()
      await page.getByTestId('refezione-open-classes').filter({ hasText: 'Classi da chiudere: 2 su 2' }).waitFor()
      assert.equal(await page.getByRole('combobox', { name: 'Scuola' }).count(), 0)
      await page.getByTestId('refezione-sync-state').filter({ hasText: 'Tutto inviato' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'classes: axe violations')
      await snap(page, 'refezione-tablet-classes')

      await page.getByTestId('class-1|A').click()
      await page.getByRole('heading', { name: 'Classe 1ª A' }).waitFor()
      const row = (id: number) => page.getByTestId(`child-${id}`)
      // Present by default, the family's cancellation applied, diets as badges.
      await row(bruno.id).getByTestId('child-state').filter({ hasText: 'Assente' }).waitFor()
      await row(bruno.id).getByText('Disdetto dalla famiglia').waitFor()
      await row(anna.id).getByTestId('child-state').filter({ hasText: 'Presente' }).waitFor()
      await row(anna.id).getByText('Vegetariana').waitFor()
      await row(carla.id).getByText('Dieta medica').waitFor()
      await page
        .getByTestId('refezione-class-counts')
        .filter({ hasText: '2 pasti, di cui 0 in bianco; 1 assente' })
        .waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'class: axe violations')
      await snap(page, 'refezione-tablet-class')

      // The network drops: the marks stay on the tablet, and the screen says they are not sent.
      await context.setOffline(true)
      await row(anna.id).getByRole('button', { name: 'Assente' }).click()
      await row(carla.id).getByRole('button', { name: 'In bianco' }).click()
      await row(carla.id).getByRole('button', { name: 'Entrata posticipata' }).click()
      await page.getByRole('button', { name: 'Chiudi la classe' }).click()
      await page
        .getByTestId('refezione-sync-state')
        .filter({ hasText: 'Non inviato: 4 segnature sul tablet' })
        .waitFor()
      await page.getByTestId('refezione-offline').waitFor()
      await row(anna.id).getByTestId('child-state').filter({ hasText: 'Assente' }).waitFor()
      await row(anna.id).getByTestId('child-unsent').waitFor()
      assert.equal(await row(carla.id).getByRole('button', { name: 'In bianco' }).getAttribute('aria-pressed'), 'true')
      await page
        .getByTestId('refezione-class-counts')
        .filter({ hasText: '1 pasto, di cui 1 in bianco; 2 assenti' })
        .waitFor()
      await page.getByTestId('refezione-class-closed').filter({ hasText: 'Chiusura non ancora inviata.' }).waitFor()
      assert.lengthOf(await marks(), 0, 'nothing reached the server while offline')
      assert.deepEqual(await seriousViolations(page), [], 'offline class: axe violations')
      await snap(page, 'refezione-tablet-offline')

      // The network returns: everything goes, once.
      await context.setOffline(false)
      await page.getByTestId('refezione-sync-state').filter({ hasText: 'Tutto inviato' }).waitFor()
      await page.getByTestId('refezione-class-closed').filter({ hasText: 'Classe chiusa' }).waitFor()
      const arrived = await marks()
      assert.lengthOf(arrived, 3)
      assert.sameDeepMembers(
        arrived.map((m) => [m.enrolmentId, m.status, m.plain, m.lateEntry, m.source]),
        [
          [anna.id, 'absent', null, null, 'tablet'],
          [carla.id, null, true, null, 'tablet'],
          [carla.id, null, null, true, 'tablet'],
        ]
      )
      assert.isTrue(
        arrived.every((m) => /^mark-[0-9a-f-]{36}$/.test(m.deviceMarkId)),
        'ids made on the device'
      )
      const closed = await kit.as(tenant, 'refezione', async () => ClassDay.query().where('day', '2026-12-01'))
      assert.deepEqual(
        closed.map((c) => [c.classYear, c.section]),
        [['1', 'A']]
      )
      // A reload sends nothing again: the outbox is empty, the server's view holds the marks. With the
      // network there, the page copies the day of the school to the tablet, 2ª B included (never opened).
      const dayCopied = page.waitForResponse((r) => /\/attendance\/2026-12-01\/class\?.*section=B/.test(r.url()))
      await page.reload()
      await page.getByTestId('refezione-sync-state').filter({ hasText: 'Tutto inviato' }).waitFor()
      await page.getByTestId('refezione-open-classes').filter({ hasText: 'Classi da chiudere: 1 su 2' }).waitFor()
      await dayCopied
      assert.lengthOf(await marks(), 3)

      // The network drops and the page is reopened without it: the session and the day kept on the
      // tablet open it; a class never looked at opens from the copy and is marked, not sent.
      await context.setOffline(true)
      await page.reload()
      await page.getByRole('heading', { name: 'Mensa: presenze del giorno', level: 1 }).waitFor()
      await page.getByTestId('refezione-offline').waitFor()
      await page.getByTestId('class-2|B').click()
      await page.getByRole('heading', { name: 'Classe 2ª B' }).waitFor()
      await row(dario.id).getByTestId('child-state').filter({ hasText: 'Presente' }).waitFor()
      await row(dario.id).getByRole('button', { name: 'Assente' }).click()
      await page
        .getByTestId('refezione-sync-state')
        .filter({ hasText: 'Non inviato: 1 segnatura sul tablet' })
        .waitFor()
      await row(dario.id).getByTestId('child-state').filter({ hasText: 'Assente' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'reopened offline: axe violations')
      await snap(page, 'refezione-tablet-reopened-offline')
      // Meanwhile the session ended on the server. The network returns: the tablet asks to log in
      // again, and the mark waits on the device until it can be sent.
      await context.clearCookies()
      await context.setOffline(false)
      await page.getByRole('button', { name: 'Accedi' }).waitFor()
      assert.lengthOf(await marks(), 3, 'nothing sent without a session')
      await page.getByLabel('Indirizzo email').fill(staff.email)
      await page.getByLabel('Password').fill('secret-password')
      await page.getByRole('button', { name: 'Accedi' }).click()
      await page.getByRole('heading', { name: 'Mensa: presenze del giorno', level: 1 }).waitFor()
      await page.getByTestId('refezione-sync-state').filter({ hasText: 'Tutto inviato' }).waitFor()
      const dariosMarks = (await marks()).filter((m) => m.enrolmentId === dario.id)
      assert.deepEqual(
        dariosMarks.map((m) => [m.status, m.source]),
        [['absent', 'tablet']],
        'the offline mark arrived once'
      )
      assert.lengthOf(await marks(), 4)
      await page.reload()
      await page.getByTestId('refezione-sync-state').filter({ hasText: 'Tutto inviato' }).waitFor()
      assert.lengthOf(await marks(), 4, 'a reload sends nothing again')

      // Adults by slot, teachers apart.
      await page.getByRole('button', { name: 'Uno in più: Insegnanti' }).click()
      await page.getByRole('button', { name: 'Uno in più: Insegnanti' }).click()
      await page.getByRole('button', { name: 'Uno in più: Altri adulti' }).click()
      await page.getByRole('button', { name: 'Registra gli adulti' }).click()
      await page.getByTestId('refezione-sync-state').filter({ hasText: 'Tutto inviato' }).waitFor()
      await page
        .getByTestId('refezione-adults-recorded')
        .filter({ hasText: '12:30 – insegnanti 2, altri adulti 1' })
        .waitFor()
      // "Tutto inviato" was already on screen before the click: wait for the rows themselves.
      const recorded = () => kit.as(tenant, 'refezione', async () => AdultMeal.query().orderBy('kind'))
      let adults = await recorded()
      for (let waited = 0; adults.length < 2 && waited < 15_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        adults = await recorded()
      }
      assert.deepEqual(
        adults.map((a) => [a.slot, a.kind, a.count]),
        [
          ['12:30', 'other', 1],
          ['12:30', 'teacher', 2],
        ]
      )

      // The phone: the same class, one column.
      await page.setViewportSize(PHONE)
      await page.getByTestId('class-1|A').click()
      await page.getByRole('heading', { name: 'Classe 1ª A' }).waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'phone: axe violations')
      await snap(page, 'refezione-phone-class')
      await page.setViewportSize(TABLET_LANDSCAPE)

      // The cut-off: 2ª B was left open, so it raises an alert and counts by estimate.
      setClock('2026-12-01T09:35')
      await kit.runJob(tenant, 'refezione', 'cutoff', { day: '2026-12-01' })
      const alerts = await kit.as(tenant, 'refezione', async () => Alert.query().where('kind', 'class_not_closed'))
      assert.deepEqual(
        alerts.map((a) => [a.schoolCode, a.classYear, a.section]),
        [['alberoni', '2', 'B']]
      )
      await page.getByRole('button', { name: '← Tutte le classi' }).click()
      await page.reload()
      await page.getByTestId('refezione-alerts').getByText('Classe non chiusa all’orario limite').waitFor()
      await snap(page, 'refezione-tablet-alert')
      await page.getByRole('button', { name: 'Esci' }).click()

      // The kitchen sees its order with the diets, and confirms it.
      await logInStaff(page, cook.email)
      await page
        .getByRole('navigation', { name: 'Menu principale' })
        .getByRole('link', { name: 'Ordine cucina' })
        .click()
      await page.getByRole('heading', { name: 'Mensa: ordine del centro cottura', level: 1 }).waitFor()
      await page.getByTestId('refezione-order-status').filter({ hasText: 'Da confermare' }).waitFor()
      const totals = page.getByTestId('refezione-order-totals')
      // Carla (plain, medical diet) in 1ª A; Dario in 2ª B by estimate; nobody at Besurica.
      assert.deepEqual(
        (await totals.locator('dd').allTextContents()).map((t) => t.trim()),
        ['2', '1', '2', '1']
      )
      await page.getByTestId('refezione-order-estimated').waitFor()
      const diets = page.getByTestId('refezione-order-diets')
      await diets.getByRole('row', { name: 'Dieta medica 1' }).waitFor()
      await diets.getByRole('row', { name: 'Menu ordinario 1' }).waitFor()
      await page
        .getByTestId('refezione-order-named')
        .getByRole('row', { name: /Rossi Bimbo\d+ 1ª A · alberoni Dieta medica \(in bianco\)/ })
        .waitFor()
      const lines = page.getByTestId('refezione-order-lines')
      await lines.getByRole('row', { name: /2ª B 1 0 – stimata/ }).waitFor()
      await lines.getByRole('row', { name: /1ª A 1 1 Dieta medica 1 rilevata/ }).waitFor()
      await page
        .getByTestId('refezione-alerts')
        .getByText(/2ª B|2 B/)
        .first()
        .waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'kitchen: axe violations')
      await snap(page, 'refezione-kitchen-order')
      await page.getByRole('button', { name: 'Conferma l’ordine' }).click()
      await page
        .getByTestId('refezione-order-status')
        .filter({ hasText: /Confermato alle \d\d:\d\d/ })
        .waitFor()
      assert.equal(await page.getByRole('button', { name: 'Conferma l’ordine' }).count(), 0)
      const order = await kit.as(tenant, 'refezione', async () =>
        Order.query().where('kitchen_code', 'cc-nord').where('day', '2026-12-01').firstOrFail()
      )
      assert.equal(order.status, 'confirmed')
      assert.equal(order.confirmedBy, cook.id)
      await snap(page, 'refezione-kitchen-confirmed')
    } finally {
      await close()
    }
  })
})
