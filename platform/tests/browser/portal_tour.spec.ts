import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import type { Page } from 'playwright-core'
import { registerWebRoutes } from '#start/routes/web'
import Membership from '#models/membership'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM } from '#tests/functional/forms/world'
import { makeTenant } from '#tests/helpers/world'
import { baseUrl, DESKTOP, goToStep, openBrowser, PHONE, screenshotDir, seriousViolations } from './portal.js'
import { citizenWithApplications } from './portal_world.js'
import { transactionWithJobs } from '../helpers/world.js'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

/**
 * Every citizen page, in Italian and in English, at desktop and at phone size: a screenshot of
 * the whole page for people to look at (platform/tmp/screenshots), and axe at both sizes (no
 * serious or critical violation), and nothing wider than the phone's screen.
 */
async function look(page: Page, assert: { deepEqual: Function; isAtMost: Function }, name: string) {
  const dir = screenshotDir()
  await mkdir(dir, { recursive: true })
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport)
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))')
    assert.deepEqual(await seriousViolations(page), [], `${name} (${size}): serious/critical axe violations`)
    // Nothing is cut on the right: the page is never wider than the screen.
    const overflow = (await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth'
    )) as number
    assert.isAtMost(overflow, 0, `${name} (${size}) is wider than the screen`)
    await page.screenshot({ path: join(dir, `${name}-${size}.png`), fullPage: true })
  }
}

const WORDS = {
  it: {
    login: 'Accedi',
    services: 'Servizi disponibili',
    form: 'Iscrizione alla refezione scolastica',
    household: 'Famiglia',
    summary: 'Riepilogo',
    send: 'Invia',
    sent: 'Domanda inviata',
    applications: 'Le mie domande',
    toComplete: 'Domanda da integrare',
    rejected: 'Domanda respinta',
    enrolments: 'I miei iscritti',
    tenants: 'I tuoi enti',
    steps: 'Passi della domanda',
  },
  en: {
    login: 'Log in',
    services: 'Available services',
    form: 'School canteen enrolment',
    household: 'Household',
    summary: 'Summary',
    send: 'Submit',
    sent: 'Application submitted',
    applications: 'My applications',
    toComplete: 'Application to be completed',
    rejected: 'Application rejected',
    enrolments: 'My enrolled children',
    tenants: 'Your bodies',
    steps: 'Steps of the application',
  },
} as const

test.group('Portale cittadino: ogni pagina, in italiano e in inglese, su computer e telefono', (group) => {
  group.each.setup(() => transactionWithJobs())

  for (const lang of ['it', 'en'] as const) {
    test(`every citizen page in ${lang}`, async ({ assert, client }) => {
      const w = WORDS[lang]
      const world = await citizenWithApplications(client)
      const { tenant, citizen, ids } = world
      const t = `#/t/${tenant.slug}`
      const { page, close } = await openBrowser()
      try {
        await page.goto(`${baseUrl()}/`)
        if (lang === 'en') await page.getByRole('button', { name: /English/ }).click()
        await page
          .getByRole('heading', { name: lang === 'it' ? 'Accedi ai servizi' : 'Log in to the services' })
          .waitFor()
        await look(page, assert, `${lang}-01-login`)
        await page.getByLabel(lang === 'it' ? 'Indirizzo email' : 'Email address').fill(citizen.email)
        await page.getByLabel('Password').fill('secret-password')
        await page.getByRole('button', { name: w.login, exact: true }).click()
        await page.getByRole('heading', { name: w.services }).waitFor()
        await page.getByTestId(`service-${FORM}`).waitFor()
        await look(page, assert, `${lang}-02-services`)

        // A new application: its first step, a step in the middle, the summary, a refused sending.
        await page.goto(`${baseUrl()}/${t}/moduli/${FORM}`)
        await page.getByRole('heading', { name: w.form }).waitFor()
        await page.getByRole('navigation', { name: w.steps }).waitFor()
        await look(page, assert, `${lang}-03-form-step-1`)
        await goToStep(page, w.household)
        await look(page, assert, `${lang}-04-form-step-household`)
        await goToStep(page, w.summary)
        await look(page, assert, `${lang}-05-form-summary-empty`)
        await page.getByRole('button', { name: w.send, exact: true }).click()
        await page.getByTestId('error-summary').waitFor()
        await look(page, assert, `${lang}-06-form-errors`)

        // The draft, resumed and sent: the summary of real data, then the receipt.
        await page.goto(`${baseUrl()}/${t}/moduli/${FORM}?bozza=${ids.draft}`)
        await page.getByRole('heading', { name: w.form }).waitFor()
        await goToStep(page, lang === 'it' ? 'Dichiarazioni e documento' : 'Declarations and identity document')
        await look(page, assert, `${lang}-07-form-declarations`)
        await goToStep(page, w.summary)
        await look(page, assert, `${lang}-08-form-summary`)
        await page.getByRole('button', { name: w.send, exact: true }).click()
        await page.getByRole('heading', { name: w.sent }).waitFor()
        await page.getByTestId('receipt-protocol').waitFor({ timeout: 20000 })
        await look(page, assert, `${lang}-09-receipt`)

        await page.goto(`${baseUrl()}/${t}/domande`)
        await page.getByRole('heading', { name: w.applications, level: 1 }).waitFor()
        await page.getByTestId(`submission-${ids.completing}`).waitFor()
        await look(page, assert, `${lang}-10-applications`)

        await page.goto(`${baseUrl()}/${t}/domande/${ids.completing}`)
        await page.getByRole('heading', { name: w.toComplete }).waitFor()
        await look(page, assert, `${lang}-11-application-to-complete`)
        await page.getByTestId('complete-submission').click()
        await page.getByTestId('completion-reason').waitFor()
        await look(page, assert, `${lang}-12-form-completion`)

        await page.goto(`${baseUrl()}/${t}/domande/${ids.rejected}`)
        await page.getByRole('heading', { name: w.rejected }).waitFor()
        await look(page, assert, `${lang}-13-application-rejected`)

        await page.goto(`${baseUrl()}/${t}/domande/${ids.protocolled}`)
        await page.getByTestId('receipt-protocol').waitFor()
        await look(page, assert, `${lang}-14-application-protocolled`)

        await page.goto(`${baseUrl()}/${t}/iscritti`)
        await page.getByRole('heading', { name: w.enrolments, level: 1 }).waitFor()
        const child = page.getByRole('link', { name: 'Giulia Rossi' })
        await child.waitFor()
        await look(page, assert, `${lang}-15-enrolments`)
        await child.click()
        await page.getByRole('heading', { name: 'Giulia Rossi', level: 1 }).waitFor()
        await look(page, assert, `${lang}-16-enrolment`)

        // A citizen of two comuni chooses where to go.
        const other = await makeTenant({ name: 'Comune di Gossolengo' })
        await RequestContext.withTenant(other.ref, () => Membership.create({ userId: citizen.id, roles: ['citizen'] }))
        await page.goto(`${baseUrl()}/`)
        await page.reload()
        await page.getByRole('heading', { name: w.tenants }).waitFor()
        await look(page, assert, `${lang}-17-tenants`)
      } catch (error) {
        await page.screenshot({ path: join(screenshotDir(), `${lang}-tour-failure.png`), fullPage: true })
        throw error
      } finally {
        await close()
      }
      // Seventeen pages, each looked at twice with axe: longer than a single flow.
    }).timeout(300_000)
  }
})
