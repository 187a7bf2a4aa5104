import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import type { Locator, Page } from 'playwright-core'
import { registerWebRoutes } from '#start/routes/web'
import { FORM } from '#tests/functional/forms/world'
import { baseUrl, goToStep, logIn, openBrowser, PHONE } from './portal.js'
import { citizenWithApplications } from './portal_world.js'
import { transactionWithJobs } from '../helpers/world.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

const overflow = (page: Page) =>
  page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>

async function box(locator: Locator) {
  const b = await locator.boundingBox()
  if (!b) throw new Error('not on screen')
  return b
}

test.group('Portale cittadino: sul telefono', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('"Le mie domande" fits the screen: nothing cut on the right', async ({ assert, client }) => {
    const { citizen, ids } = await citizenWithApplications(client)
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(PHONE)
      await logIn(page, citizen.email)
      await page.getByRole('link', { name: 'Le mie domande' }).click()
      await page.getByTestId(`submission-${ids.completing}`).waitFor()
      assert.isAtMost(await overflow(page), 0)
      // Every status is inside the screen, and so is the table.
      for (const badge of await page.locator('.status-badge').all()) {
        const b = await box(badge)
        assert.isAtMost(b.x + b.width, PHONE.width, 'a status cut on the right')
      }
      const table = await box(page.locator('table'))
      assert.isAtMost(table.x + table.width, PHONE.width)
    } finally {
      await close()
    }
  })

  test('the fee bar stays in view while filling, and never covers the end of the form', async ({ assert, client }) => {
    const { tenant, citizen, ids } = await citizenWithApplications(client)
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(PHONE)
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${ids.draft}`)
      await goToStep(page, 'Chi presenta la domanda')
      const bar = page.getByTestId('tariff-box')
      await page.getByTestId('tariff-amount').waitFor()
      // While filling, at the top of the form, the fee is at the bottom of the screen.
      const top = await box(bar)
      assert.isAtMost(top.y + top.height, PHONE.height + 1)
      assert.isAbove(top.y, PHONE.height / 2)

      // At the end of the form, the buttons are all visible and the bar sits below them.
      await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)')
      const next = page.locator('.form-actions').getByRole('button', { name: 'Avanti' })
      const button = await box(next)
      const end = await box(bar)
      assert.isAtMost(button.y + button.height, end.y, 'the fee bar covers the buttons')
      assert.isAtMost(button.y + button.height, PHONE.height)
      // The same on the summary, with the button that sends.
      await goToStep(page, 'Riepilogo')
      await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)')
      const send = await box(page.getByRole('button', { name: 'Invia' }))
      assert.isAtMost(send.y + send.height, (await box(bar)).y, 'the fee bar covers the send button')
      assert.isAtMost(await overflow(page), 0)
    } finally {
      await close()
    }
  })
})
