import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import Tenant from '#models/tenant'
import { pluginService } from '#services/tenants/plugin_service'
import { withSchoolCatalog } from '#tests/helpers/catalog'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { baseUrl, LAPTOP, logIn, openBrowser, seriousViolations } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'
import { guideShot } from './designer_world.js'

registerWebRoutes(router)

test.group("Platform: a new tenant from another tenant's configuration, through the portal", (group) => {
  group.each.setup(() => transactionWithJobs())

  test("a platform admin creates a tenant from a comune's configuration and it serves its own form", async ({
    assert,
  }) => {
    const source = await makeTenant({ name: 'Comune di Piacenza (prova)' })
    await pluginService.enable(source, 'refezione')
    await withSchoolCatalog(source)
    const platform = await makeUser(null, [], { isPlatformAdmin: true })
    const slug = `copia-${process.pid}`
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await page.goto(`${baseUrl()}/`)
      await page.getByLabel('Indirizzo email').fill(platform.email)
      await page.getByLabel('Password').fill('secret-password')
      await page.getByRole('button', { name: 'Accedi' }).click()
      await page.getByRole('link', { name: 'Enti della piattaforma' }).click()
      await page.getByRole('heading', { name: 'Enti della piattaforma', level: 1 }).waitFor()
      await page.getByLabel('Configurazione da').selectOption(source.slug)
      await page.getByLabel("Nome dell'ente").fill('Comune di Gossolengo (prova)')
      await page.getByLabel('Indirizzo breve').fill(slug)
      await page.getByLabel("Codice fiscale dell'ente").fill('00000000003')
      await page.getByRole('button', { name: "Crea l'ente" }).click()
      const created = page.getByTestId('platform-created')
      await created.waitFor()
      const text = await created.innerText()
      assert.include(text, 'Servizi: refezione')
      assert.include(text, 'refezione.iscrizione')
      assert.include(text, 'refezione.tariffa')
      assert.deepEqual(await seriousViolations(page), [], 'platform tenants: axe violations')
      await guideShot(page, 'platform-tenant-copy')
      await page.getByRole('button', { name: 'Esci' }).click()

      // Its first citizen finds the canteen enrolment, in the new tenant's name.
      const copy = (await Tenant.findBy('slug', slug))!
      const citizen = await makeUser(copy, ['citizen'])
      await logIn(page, citizen.email)
      await page.getByRole('link', { name: /Compila la domanda – Iscrizione alla refezione scolastica/ }).click()
      await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica', level: 1 }).waitFor()
      assert.include(page.url(), `/t/${slug}/moduli/refezione.iscrizione`)
      assert.include(await page.locator('header').innerText(), 'Comune di Gossolengo (prova)')
    } finally {
      await close()
    }
  })
})
