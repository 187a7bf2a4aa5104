import { test } from '@japa/runner'
import { API_CSP, PORTAL_CSP } from '#middleware/security_headers_middleware'
import { refezioneTenant } from '../forms/world.js'
import { transactionWithJobs } from '../../helpers/world.js'
import { withSchoolCatalog } from '#tests/helpers/catalog'

const EVIL = 'https://evil.example'

test.group('CSRF: state changes only from this site', (group) => {
  group.each.setup(() => transactionWithJobs())

  test("a form post from another site with the operator's cookie changes nothing", async ({ client, assert }) => {
    const { operator, base, tenant } = await refezioneTenant()
    await withSchoolCatalog(tenant)
    const before = await client.get(`${base}/catalog/schools`).loginAs(operator)
    const count = before.body().schools.length

    const formPost = await client
      .post(`${base}/catalog/schools`)
      .header('origin', EVIL)
      .form({ 'code': 'evil-school', 'name': 'Scuola di prova', 'order': 'primaria', 'services[]': 'refezione' })
      .loginAs(operator)
    formPost.assertStatus(403)
    assert.equal(formPost.body().errors[0].rule, 'csrf')

    // The same as JSON from another site, and as a fetch the browser marks cross-site.
    const jsonPost = await client
      .post(`${base}/catalog/schools`)
      .header('origin', EVIL)
      .json({ code: 'evil-school', name: 'Scuola di prova', order: 'primaria', services: ['refezione'] })
      .loginAs(operator)
    jsonPost.assertStatus(403)
    const crossSite = await client
      .post(`${base}/catalog/schools`)
      .header('sec-fetch-site', 'cross-site')
      .json({ code: 'evil-school', name: 'Scuola di prova', order: 'primaria', services: ['refezione'] })
      .loginAs(operator)
    crossSite.assertStatus(403)
    const nullOrigin = await client.post('/api/v1/auth/logout').header('origin', 'null').loginAs(operator)
    nullOrigin.assertStatus(403)

    const after = await client.get(`${base}/catalog/schools`).loginAs(operator)
    assert.equal(after.body().schools.length, count)
  })

  test('the same request from this site passes; a form-encoded body on a JSON endpoint is a 415', async ({
    client,
    assert,
  }) => {
    const { operator, base, tenant } = await refezioneTenant()
    await withSchoolCatalog(tenant)
    // The origin the test client's requests are addressed to (its Host header).
    const own = `http://${process.env.HOST}:${process.env.PORT}`
    const ok = await client
      .post(`${base}/catalog/schools`)
      .header('origin', own)
      .header('sec-fetch-site', 'same-origin')
      .json({ code: 'nuova-scuola', name: 'Scuola nuova', order: 'primaria', services: ['refezione'] })
      .loginAs(operator)
    ok.assertStatus(201)

    const form = await client
      .post(`${base}/catalog/schools`)
      .header('origin', own)
      .form({ code: 'altra', name: 'Altra scuola', order: 'primaria' })
      .loginAs(operator)
    form.assertStatus(415)
    assert.include(form.body().errors[0].message, 'application/json')

    const multipart = await client.post(`${base}/catalog/schools`).field('code', 'altra').loginAs(operator)
    multipart.assertStatus(415)
  })
})

test.group('Security headers', () => {
  test('API answers allow nothing to load and cannot be framed or sniffed', async ({ client, assert }) => {
    for (const url of ['/health', '/api/v1/plugins', '/api/v1/auth/me', '/api/v1/nothing-here']) {
      const response = await client.get(url)
      assert.equal(response.header('content-security-policy'), API_CSP, url)
      assert.equal(response.header('x-content-type-options'), 'nosniff', url)
      assert.equal(response.header('x-frame-options'), 'DENY', url)
      assert.equal(response.header('referrer-policy'), 'same-origin', url)
    }
  })

  test('the portal gets its own policy, framing refused', async ({ client, assert }) => {
    const page = await client.get('/')
    assert.equal(page.header('content-security-policy'), PORTAL_CSP)
    assert.include(PORTAL_CSP, "frame-ancestors 'none'")
    assert.include(PORTAL_CSP, "object-src 'none'")
    assert.equal(page.header('x-frame-options'), 'DENY')
    // HSTS only in production, where the site is served over HTTPS.
    assert.isUndefined(page.header('strict-transport-security'))
  })
})
