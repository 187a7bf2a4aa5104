import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core'
import app from '@adonisjs/core/services/app'
import env from '#start/env'

/** Base URL of the HTTP server the test runner starts in this process. */
export function baseUrl(): string {
  const host = String(env.get('HOST', '127.0.0.1'))
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${env.get('PORT')}`
}

/**
 * Debian's chromium, headless, in a throw-away profile, with every background network feature off
 * so that the test talks to the test server only.
 */
export async function openBrowser(): Promise<{ context: BrowserContext; page: Page; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'sportello-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 390, height: 844 },
    locale: 'it-IT',
  })
  // A Content Security Policy violation fails the test (at close): the portal must run under the
  // policy the server sends. The page reports each one as a console error.
  // A string: it runs in the page, where `document` exists (not in this process).
  await context.addInitScript(`
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline'))
    })
  `)
  const page = context.pages()[0] ?? (await context.newPage())
  const cspViolations: string[] = []
  // Errors of the page end up in the test output, where a failure is read.
  page.on('pageerror', (error) => console.error('[browser]', error.message))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    console.error('[browser console]', message.text())
    if (/CSP violation|Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
  return {
    context,
    page,
    close: async () => {
      await context.close()
      await rm(profile, { recursive: true, force: true })
      if (cspViolations.length > 0) {
        throw new Error(`The portal broke its Content Security Policy:\n${cspViolations.join('\n')}`)
      }
    },
  }
}

/** Screenshots only when asked (SCREENSHOT_DIR), never inside the repository by default. */
export async function snap(page: Page, name: string, options: { html?: boolean } = {}) {
  const dir = process.env.SCREENSHOT_DIR
  if (!dir) return
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false })
  if (options.html) await writeFile(join(dir, `${name}.html`), await page.content())
}

/** The same screen at desktop width (1280 px), then back to the phone's; only with SCREENSHOT_DIR. */
export async function snapWide(page: Page, name: string, focus?: Locator) {
  if (!process.env.SCREENSHOT_DIR) return
  const phone = page.viewportSize()
  await page.setViewportSize({ width: 1280, height: 900 })
  await focus?.scrollIntoViewIfNeeded()
  await snap(page, name)
  if (phone) await page.setViewportSize(phone)
}

/** The two sizes every citizen page is looked at in: a laptop and a phone. */
export const DESKTOP = { width: 1366, height: 900 }
export const PHONE = { width: 390, height: 844 }

/** Where the page tour saves its screenshots: platform/tmp/screenshots (gitignored), or SCREENSHOT_DIR. */
export function screenshotDir() {
  return process.env.SCREENSHOT_DIR || app.makePath('tmp', 'screenshots')
}

/** Logs in through the login page and waits for the services page. */
export async function logIn(page: Page, email: string, password = 'secret-password') {
  await page.goto(`${baseUrl()}/`)
  await page.getByLabel('Indirizzo email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Accedi' }).click()
  await page.getByRole('heading', { name: 'Servizi disponibili' }).waitFor()
}

/** Logs a member of the offices in through the login page and waits for their desk. */
export async function logInStaff(page: Page, email: string, password = 'secret-password') {
  await page.goto(`${baseUrl()}/`)
  await page.getByLabel('Indirizzo email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Accedi' }).click()
  await page.getByRole('heading', { name: 'Scrivania', level: 1 }).waitFor()
}

/** The laptop and tablet widths the back office is looked at in. */
export const LAPTOP = { width: 1366, height: 900 }
export const TABLET = { width: 820, height: 1180 }

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[] }[]
}

/** axe-core run in the page; returns the serious and critical violations only. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const axe = await import('axe-core')
  // Colours as the page rests: no button left hovered by the last click, no CSS transition caught
  // half-way (axe would measure the colour of that instant). A looping animation (a spinner) has no
  // end to jump to and is left running: finishing it throws.
  await page.mouse.move(0, 0)
  await page.evaluate(
    'document.getAnimations().forEach((a) => { if (a.effect && a.effect.getComputedTiming().endTime !== Infinity) a.finish() })'
  )
  // Evaluated, not added as an inline <script>: the portal's CSP rightly refuses inline scripts.
  await page.evaluate(axe.default.source)
  // A string expression: it runs in the page, where `axe` and `document` exist (not in this process).
  const violations = (await page.evaluate(`
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))
  `)) as AxeViolation[]
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/**
 * Moves a stepped form to the step titled `name` (or the summary) with its "Avanti"/"Indietro"
 * buttons, as a citizen on a phone does (the list of steps shows from tablet width).
 */
export async function goToStep(page: Page, name: string) {
  await page.getByTestId('step-index').waitFor()
  const names = (await page.locator('.form-steps-list .form-steps-name').allTextContents()).map((n) => n.trim())
  const target = names.indexOf(name)
  if (target < 0) throw new Error(`no step "${name}" in ${names.join(', ')}`)
  for (let guard = 0; guard < names.length + 1; guard++) {
    const index = /(\d+)/.exec((await page.getByTestId('step-index').textContent()) ?? '')
    const current = Number(index?.[1] ?? 1) - 1
    if (current === target) break
    const button =
      current < target
        ? page
            .locator('.form-actions')
            .getByRole('button', { name: /^(Avanti|Vai al riepilogo|Next|Go to the summary)$/ })
        : page.locator('.form-actions').getByRole('button', { name: /^(Indietro|Back)$/ })
    await button.click()
    const next = current + (current < target ? 2 : 0)
    await page
      .getByTestId('step-index')
      .filter({ hasText: new RegExp(`^\\S+ ${next} `) })
      .waitFor()
  }
  await page.getByTestId('step-title').filter({ hasText: name }).waitFor()
}
