import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant } from '#tests/helpers/world'
import { baseUrl, LAPTOP, openBrowser, seriousViolations, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

/**
 * Staff log in from the login page with their body's directory account. The page and a directory
 * that does not answer are tried everywhere; real logins run against the OpenLDAP server that
 * `npm run test:full` starts (scripts/ldap-test-server.sh), named by LDAP_TEST_URL, as in
 * tests/functional/security/directory_login.spec.ts.
 */
const BASE = 'dc=sportello,dc=test'

async function tenantWithDirectory(url: string) {
  const tenant = await makeTenant()
  tenant.settings = {
    directory: {
      url,
      baseDn: BASE,
      bindDn: `cn=sportello,ou=servizi,${BASE}`,
      bindPasswordEnv: 'LDAP_PASSWORD_TEST',
      userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
      disabledFilter: '(employeeType=disabled)',
      groupRoles: { [`cn=operatori,ou=gruppi,${BASE}`]: ['operator'] },
    },
  }
  await RequestContext.asSystem('test', () => tenant.save())
  return tenant
}

test.group('Login page: staff with a directory account', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the network account is a choice of the login page; a directory that does not answer is said so', async ({
    assert,
  }) => {
    // Port 1 on loopback: nothing listens there.
    const tenant = await tenantWithDirectory('ldap://127.0.0.1:1')
    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await page.goto(`${baseUrl()}/`)
      await page.getByTestId('login-mode').waitFor()
      assert.equal(await page.getByLabel('Nome utente di rete').count(), 0, 'the email form comes first')
      // Bootstrap Italia draws the radio on its label: the label is what one clicks.
      await page.getByText('Con l’account di rete dell’ente (personale)').click()
      await page.getByLabel('Ente', { exact: true }).selectOption({ label: tenant.name })
      await page.getByLabel('Nome utente di rete').fill('mrossi')
      await page.getByLabel('Password').fill('Directory.2026')
      assert.deepEqual(await seriousViolations(page), [], 'login by directory: axe violations')
      await page.getByRole('button', { name: 'Accedi' }).click()
      const alert = page.getByRole('alert')
      await alert.waitFor()
      assert.notInclude(await alert.textContent(), 'non corretti', 'not the person’s mistake')
      assert.deepEqual(await seriousViolations(page), [], 'login refused: axe violations')
      await snap(page, 'login-directory-unavailable')

      await page.getByRole('button', { name: /English/ }).click()
      await page.getByLabel('Network user name').waitFor()
      assert.equal(await page.getByLabel('Body', { exact: true }).inputValue(), tenant.slug)
      assert.deepEqual(await seriousViolations(page), [], 'login by directory in English: axe violations')
    } finally {
      await close()
    }
  })
})

const LDAP_URL = process.env.LDAP_TEST_URL
if (LDAP_URL) {
  test.group('Login page against OpenLDAP', (group) => {
    group.each.setup(() => transactionWithJobs())
    group.each.setup(() => {
      process.env.LDAP_PASSWORD_TEST = 'Servizio.2026'
    })

    test('an operator logs in with the network account and reaches the desk; a disabled one is refused', async ({
      assert,
    }) => {
      const tenant = await tenantWithDirectory(LDAP_URL)
      const { page, close } = await openBrowser()
      try {
        await page.setViewportSize(LAPTOP)
        await page.goto(`${baseUrl()}/#/t/${tenant.slug}/ufficio`)
        // Bootstrap Italia draws the radio on its label: the label is what one clicks.
        await page.getByText('Con l’account di rete dell’ente (personale)').click()
        // Opened at the body's address, the body is already chosen.
        assert.equal(await page.getByLabel('Ente', { exact: true }).inputValue(), tenant.slug)

        // Disabled in the directory: refused, whatever the password.
        await page.getByLabel('Nome utente di rete').fill('gverdi')
        await page.getByLabel('Password').fill('Directory.2026')
        await page.getByRole('button', { name: 'Accedi' }).click()
        await page.getByRole('alert').waitFor()
        assert.deepEqual(await seriousViolations(page), [], 'disabled user refused: axe violations')

        await page.getByLabel('Nome utente di rete').fill('mrossi')
        await page.getByLabel('Password').fill('wrong-password')
        await page.getByRole('button', { name: 'Accedi' }).click()
        await page.getByRole('alert').filter({ hasText: 'Nome utente o password di rete non corretti.' }).waitFor()

        await page.getByLabel('Password').fill('Directory.2026')
        await page.getByRole('button', { name: 'Accedi' }).click()
        await page.getByRole('heading', { name: 'Scrivania', level: 1 }).waitFor()
        assert.include(await page.locator('header').textContent(), 'Mario Rossi')
        assert.deepEqual(await seriousViolations(page), [], 'desk after a directory login: axe violations')
      } finally {
        await close()
      }
    })
  })
}
