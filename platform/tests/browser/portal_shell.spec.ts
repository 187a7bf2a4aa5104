import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { pluginService } from '#services/tenants/plugin_service'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { makeUser } from '#tests/helpers/world'
import { baseUrl, DESKTOP, goToStep, logIn, logInStaff, openBrowser, seriousViolations } from './portal.js'
import { IDENTITY, withIdentity } from './portal_world.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

test.group('Portale cittadino: il Comune, chi ha fatto l’accesso, la navigazione per ruolo', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the header names the comune with its logo and who is logged in; the footer has privacy, accessibility and contacts', async ({
    assert,
  }) => {
    const { tenant, citizen } = await refezioneTenant()
    await withIdentity(tenant)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      const name = page.getByTestId('tenant-name')
      await name.filter({ hasText: tenant.name }).waitFor()
      assert.equal(await page.getByTestId('tenant-logo').getAttribute('src'), IDENTITY.logo_url)
      const user = page.getByTestId('current-user')
      assert.include(await user.textContent(), citizen.fullName)
      assert.include(await user.textContent(), 'Cittadino')

      const footer = page.getByTestId('footer')
      assert.equal(
        await footer.getByRole('link', { name: 'Informativa sulla privacy' }).getAttribute('href'),
        IDENTITY.privacy_url
      )
      assert.equal(
        await footer.getByRole('link', { name: 'Dichiarazione di accessibilità' }).getAttribute('href'),
        IDENTITY.accessibility_url
      )
      const footerText = (await footer.textContent()) ?? ''
      for (const contact of Object.values(IDENTITY.contacts!)) assert.include(footerText, contact)
      assert.equal(
        await footer.getByRole('link', { name: IDENTITY.contacts!.pec! }).getAttribute('href'),
        `mailto:${IDENTITY.contacts!.pec}`
      )

      // The citizen's navigation, and the current page marked in it.
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      assert.deepEqual(await nav.getByRole('link').allTextContents(), [
        'Servizi',
        'Le mie domande',
        'I miei iscritti',
        'Pagamenti',
      ])
      assert.equal(await nav.getByRole('link', { name: 'Servizi' }).getAttribute('aria-current'), 'page')

      // The page has a favicon, served from the portal's assets.
      const icon = await page.locator('link[rel="icon"]').getAttribute('href')
      assert.match(icon ?? '', /^\/assets\/favicon-.+\.svg$/)
      const served = await page.request.get(`${baseUrl()}${icon}`)
      assert.equal(served.status(), 200)
      assert.equal(served.headers()['content-type'], 'image/svg+xml')

      // In English the same, in English.
      await page.getByRole('button', { name: /English/ }).click()
      await page.getByRole('link', { name: 'Accessibility statement' }).waitFor()
      assert.include(await user.textContent(), 'Citizen')
      assert.deepEqual(await seriousViolations(page), [], 'services page with the comune identity: axe violations')
    } finally {
      await close()
    }
  })

  test('without an identity in the settings the comune is still named, and nothing is made up', async ({ assert }) => {
    const { tenant, citizen } = await refezioneTenant()
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.getByTestId('tenant-name').filter({ hasText: tenant.name }).waitFor()
      assert.equal(await page.getByTestId('tenant-logo').count(), 0)
      const footer = page.getByTestId('footer')
      assert.equal(await footer.getByRole('link', { name: 'Informativa sulla privacy' }).count(), 0)
      assert.include(await footer.textContent(), tenant.name)
    } finally {
      await close()
    }
  })

  test('navigation follows the roles: an operator gets no citizen pages, and their addresses say so', async ({
    assert,
  }) => {
    const { tenant, operator } = await refezioneTenant()
    const { page, close } = await openBrowser()
    try {
      // The operator lands on the back office's desk: none of the citizen's entries.
      await logInStaff(page, operator.email)
      const nav = page.getByRole('navigation', { name: 'Menu principale' })
      const entries = await nav.getByRole('link').allTextContents()
      for (const citizens of ['Servizi', 'Le mie domande', 'I miei iscritti', 'Pagamenti'])
        assert.notInclude(entries, citizens)
      assert.include(await page.getByTestId('current-user').textContent(), 'Operatore')
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/domande`)
      await page.getByText('Questa pagina non è disponibile con il tuo ruolo in questo ente.').waitFor()
      assert.equal(await page.getByRole('heading', { name: 'Le mie domande' }).count(), 0)

      // And a tenant the user is not a member of shows nothing of it.
      const other = await refezioneTenant()
      await page.goto(`${baseUrl()}/#/t/${other.tenant.slug}`)
      await page.getByText('Questa pagina non è disponibile con il tuo ruolo in questo ente.').waitFor()
      assert.equal(await page.getByTestId(`service-${FORM}`).count(), 0)
    } finally {
      await close()
    }
  })

  test('service cards are even in a row, and every checkbox has one size', async ({ assert }) => {
    const { tenant, citizen } = await refezioneTenant()
    await pluginService.enable(tenant, 'trasporto')
    await pluginService.enable(tenant, 'nidi')
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.setViewportSize(DESKTOP)
      const cards = page.locator('[data-testid^="service-"] .card')
      await cards.nth(2).waitFor()
      const boxes = await cards.evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().toJSON()))
      const firstRow = boxes.filter((b) => Math.abs(b.top - boxes[0].top) < 1)
      assert.isAtLeast(firstRow.length, 3)
      for (const box of firstRow) assert.closeTo(box.height, firstRow[0].height, 1, 'cards of one row have one height')
      // The same padding inside each card: the title starts at the same distance from the top.
      const titles = await page
        .locator('[data-testid^="service-"] .card-title')
        .evaluateAll((nodes) =>
          nodes.map((n) => n.getBoundingClientRect().top - n.closest('.card')!.getBoundingClientRect().top)
        )
      for (const offset of titles) assert.closeTo(offset, titles[0], 1)

      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}`)
      await goToStep(page, 'Dichiarazioni e documento')
      const sizes = await page
        .locator('.rjsf input[type=checkbox]')
        .evaluateAll((nodes) => nodes.map((n) => [n.getBoundingClientRect().width, n.getBoundingClientRect().height]))
      assert.isAtLeast(sizes.length, 8)
      for (const size of sizes) assert.deepEqual(size, sizes[0], 'every checkbox has the size of the first')
    } finally {
      await close()
    }
  })

  test('a citizen of two comuni chooses the comune first', async ({ assert }) => {
    const { tenant } = await refezioneTenant()
    const second = await refezioneTenant()
    const user = await makeUser(tenant, ['citizen'])
    const { default: Membership } = await import('#models/membership')
    const { RequestContext } = await import('#services/infrastructure/request_context')
    await RequestContext.withTenant(second.tenant.ref, () => Membership.create({ userId: user.id, roles: ['citizen'] }))
    const { page, close } = await openBrowser()
    try {
      await page.goto(`${baseUrl()}/`)
      await page.getByLabel('Indirizzo email').fill(user.email)
      await page.getByLabel('Password').fill('secret-password')
      await page.getByRole('button', { name: 'Accedi' }).click()
      await page.getByRole('heading', { name: 'I tuoi enti' }).waitFor()
      await page.getByRole('link', { name: new RegExp(`^Apri i servizi\\W+${second.tenant.name}$`) }).click()
      await page.getByTestId('tenant-name').filter({ hasText: second.tenant.name }).waitFor()
      await page.getByRole('heading', { name: 'Servizi disponibili' }).waitFor()
      assert.include(page.url(), `/t/${second.tenant.slug}`)
    } finally {
      await close()
    }
  })
})
