import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { pluginTestKit as kit } from '#sdk/testing'
import { LAPTOP, baseUrl, openBrowser } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

/**
 * An address of a page, kept in a bookmark or sent by email, opens that page: in its hash form
 * (`/#/t/<ente>/ufficio/report`), before and after logging in, and in path form
 * (`/t/<ente>/ufficio/report`, or under `/portale/`), which the server answers with the portal and the
 * portal turns into its hash route; a first visit has no service worker to answer for the server.
 */
test.group('Portal: deep links', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a page addressed by hash or by path opens after the login, with its query', async ({ assert }) => {
    const tenant = await kit.tenant(['refezione'])
    const operator = await kit.member(tenant, ['operator'])
    const slug = tenant.slug
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      const report = page.getByRole('heading', { name: 'Report', level: 1 })

      // Path form on a first visit (no service worker yet): the portal, not the server's 404.
      const first = await page.goto(`${baseUrl()}/t/${slug}/ufficio/report?report=refezione.iscritti-per-scuola`)
      assert.equal(first?.status(), 200, `the server answers a page's path with the portal, got ${first?.status()}`)
      await page.getByLabel('Indirizzo email').fill(operator.email)
      await page.getByLabel('Password').fill('secret-password')
      await page.getByRole('button', { name: 'Accedi' }).click()
      await report.waitFor()
      assert.equal(
        new URL(page.url()).hash,
        `#/t/${slug}/ufficio/report?report=refezione.iscritti-per-scuola`,
        `the path became the hash route, with its query: ${page.url()}`
      )
      await page
        .getByRole('article', { name: 'Iscritti per scuola' })
        .getByRole('button', { name: 'Iscritti per scuola' })
        .and(page.locator('[aria-expanded="true"]'))
        .waitFor()

      // Hash form, logged in, in a new load of the page.
      await page.goto(`${baseUrl()}/#/t/${slug}/ufficio/domande`)
      await page.getByRole('heading', { name: 'Domande ricevute', level: 1 }).waitFor()

      // Under the old prefix, and the hash form after a logout and a login.
      const old = await page.goto(`${baseUrl()}/portale/t/${slug}/ufficio/report`)
      assert.equal(old?.status(), 200)
      await report.waitFor()
      assert.equal(new URL(page.url()).pathname, '/', `the address is the portal's own: ${page.url()}`)
      await page.getByRole('button', { name: 'Esci' }).click()
      await page.getByLabel('Indirizzo email').waitFor()
      await page.goto(`${baseUrl()}/#/t/${slug}/ufficio/report`)
      await page.getByLabel('Indirizzo email').fill(operator.email)
      await page.getByLabel('Password').fill('secret-password')
      await page.getByRole('button', { name: 'Accedi' }).click()
      await report.waitFor()

      // What is not a page stays a 404: the API and unknown files.
      const api = await page.goto(`${baseUrl()}/api/v1/nothing-here`)
      assert.equal(api?.status(), 404)
    } finally {
      await close()
    }
  })
})
