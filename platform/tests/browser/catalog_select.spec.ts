import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import router from '@adonisjs/core/services/router'
import type { Locator } from 'playwright-core'
import { registerWebRoutes } from '#start/routes/web'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, goToStep, openBrowser, seriousViolations, snap, snapWide, logIn } from './portal.js'
import { loadDefaultForms } from '#services/content/default_content'
import { serviceWorld } from './portal_world.js'
import { transactionWithJobs } from '../helpers/world.js'

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

const TRASPORTO = 'trasporto.iscrizione'
const real = (texts: string[]) => texts.map((t) => t.trim()).filter((t) => t !== 'Seleziona…')

test.group('Portale cittadino: linee, fermate e strutture dagli elenchi del Comune', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('line and stop are chosen from the comune’s lists; a stop withdrawn meanwhile is refused by the server', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, operator, base, sample } = await serviceWorld('trasporto', TRASPORTO)
    const draft = await client.post(`${base}/forms/${TRASPORTO}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    const id = draft.body().submission.id as number
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${TRASPORTO}?bozza=${id}`)
      await goToStep(page, 'Linea e fermata')
      const line = page.getByLabel(/^Linea del trasporto\*?$/)
      const stop = page.getByLabel(/^Fermata\*?$/)
      await stop.locator('option', { hasText: 'Piazza Cavalli' }).waitFor({ state: 'attached' })
      // Dropdowns, never free text: the lines that serve the chosen school, the stops of the chosen line.
      assert.equal(await line.evaluate((e) => (e as unknown as { tagName: string }).tagName), 'SELECT')
      assert.deepEqual(real(await options(line)), [
        'Linea 1 – Farnesiana, Besurica',
        'Linea 3 – Centro, Alberoni, Stradella',
      ])
      assert.equal(await chosen(line), 'Linea 3 – Centro, Alberoni, Stradella')
      assert.deepEqual(real(await options(stop)), ['Via Roma (chiesa)', 'Via Stradella 40', 'Piazza Cavalli'])
      assert.equal(await chosen(stop), 'Via Roma (chiesa)')

      await line.selectOption({ label: 'Linea 1 – Farnesiana, Besurica' })
      await stop.locator('option', { hasText: 'Piazzale Besurica' }).waitFor({ state: 'attached' })
      assert.deepEqual(real(await options(stop)), ['Via Farnesiana (parcheggio)', 'Piazzale Besurica'])
      assert.equal((await chosen(stop))?.trim(), 'Seleziona…', 'a stop of another line is cleared')
      await stop.selectOption({ label: 'Piazzale Besurica' })
      assert.deepEqual(await seriousViolations(page), [], 'line and stop: axe violations')
      await snap(page, 'catalog-03-line-stop')

      // The office withdraws that stop while the citizen is filling: the server refuses it, at the field.
      const withdrawn = await client
        .put(`${base}/catalog/sources/transport_stops/fermata-besurica`)
        .json({ name: 'Piazzale Besurica', parent: 'linea-1', active: false })
        .loginAs(operator)
      withdrawn.assertStatus(200)
      await goToStep(page, 'Riepilogo')
      await page.getByRole('button', { name: 'Invia', exact: true }).click()
      const summary = page.getByTestId('error-summary')
      await summary.waitFor()
      const stopError = summary.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Fermata' }) })
      const message = (await stopError.textContent())!.split(': ').slice(1).join(': ').trim()
      assert.isNotEmpty(message)
      const still = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      assert.equal(still.body().submission.status, 'draft')
      await stopError.getByRole('link').click()
      await page.getByTestId('step-title').filter({ hasText: 'Linea e fermata' }).waitFor()
      await page.locator('.form-group').filter({ has: stop }).last().getByText(message).first().waitFor()
      await snap(page, 'catalog-04-stop-refused')
    } finally {
      await close()
    }
  })

  test('Edugate and nido facilities are dropdowns of the comune’s facilities for the child’s age', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, base, sample } = await serviceWorld('nidi', 'edugate.iscrizione')
    const draft = await client
      .post(`${base}/forms/edugate.iscrizione/submissions`)
      .json({ data: sample })
      .loginAs(citizen)
    draft.assertStatus(201)
    const nido = structuredClone((await loadDefaultForms()).get('nidi.iscrizione')!.json.sample) as Record<
      string,
      unknown
    >
    delete nido.identity_document
    const nidoDraft = await client
      .post(`${base}/forms/nidi.iscrizione/submissions`)
      .json({ data: nido })
      .loginAs(citizen)
    nidoDraft.assertStatus(201)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/edugate.iscrizione?bozza=${draft.body().submission.id}`)
      await goToStep(page, 'Strutture scelte')
      const first = page.locator('select[id="root_structure_preferences_0"]')
      await first.locator('option', { hasText: 'Edugate Besurica' }).waitFor({ state: 'attached' })
      // Each facility by its name, with its address, hours and the ages it takes.
      const offered = real(await options(first))
      assert.lengthOf(offered, 2)
      assert.match(offered[0], /^Servizio educativo Edugate Besurica \(Via Boselli 15, .* da 18 a 36 mesi\)$/)
      assert.match(offered[1], /^Servizio educativo Edugate Farnesiana \(/)
      assert.match((await chosen(first)) ?? '', /^Servizio educativo Edugate Farnesiana/)
      const second = page.locator('select[id="root_structure_preferences_1"]')
      assert.match((await chosen(second)) ?? '', /^Servizio educativo Edugate Besurica/)
      assert.deepEqual(await seriousViolations(page), [], 'Edugate facilities: axe violations')
      await snap(page, 'catalog-04-edugate')

      // The nido form offers the nurseries, not Edugate's services.
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/nidi.iscrizione?bozza=${nidoDraft.body().submission.id}`)
      await goToStep(page, 'Strutture scelte')
      const nidoSelect = page.locator('select[id="root_structure_preferences_0"]')
      await nidoSelect.locator('option', { hasText: "Nido d'infanzia Besurica" }).waitFor({ state: 'attached' })
      const nidi = real(await options(nidoSelect)).map((o) => o.split(' (')[0])
      assert.includeMembers(nidi, ["Nido d'infanzia Farnesiana", "Nido d'infanzia Besurica"])
      assert.notInclude(nidi, 'Servizio educativo Edugate Farnesiana')
      // A nursery for babies up to twelve months is not offered to a child of two and a half.
      assert.notInclude(nidi, "Nido d'infanzia Il Girasole")
    } finally {
      await close()
    }
  })
})
