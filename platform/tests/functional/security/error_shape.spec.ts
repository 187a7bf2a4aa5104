/**
 * Every refusal the API gives has one shape, `{ errors: [{ path?, rule?, message }] }`, whoever
 * gives it: a controller, a middleware, the exception handler, a validator, a plugin route. The
 * table below holds at least one known failure of each controller (a test at the end checks that no
 * controller is left out), each run in Italian and in English.
 */
import { test } from '@japa/runner'
import { readdir } from 'node:fs/promises'
import testUtils from '@adonisjs/core/services/test_utils'
import { pluginService } from '#services/tenants/plugin_service'
import { errorShapeProblem } from '#shared/contract'
import type User from '#models/user'
import type Tenant from '#models/tenant'
import { makeTenant, makeUser } from '#tests/helpers/world'

interface Who {
  tenant: Tenant
  other: Tenant
  citizen: User
  operator: User
  admin: User
  base: string
}

interface Case {
  /** The controller (file name without `_controller.ts`) or the layer that answers. */
  by: string
  what: string
  status: number
  method: 'get' | 'post' | 'put' | 'patch'
  url: (w: Who) => string
  as?: (w: Who) => User
  json?: unknown
  raw?: { type: string; body: string }
  headers?: Record<string, string>
}

const CASES: Case[] = [
  // The exception handler and the middleware.
  { by: 'handler', what: 'an unknown route', status: 404, method: 'get', url: () => '/api/v1/nowhere' },
  { by: 'auth_middleware', what: 'no session', status: 401, method: 'get', url: () => '/api/v1/auth/me' },
  {
    by: 'tenant_middleware',
    what: 'an unknown tenant',
    status: 404,
    method: 'get',
    url: () => '/api/v1/t/nessun-ente-cosi',
    as: (w) => w.citizen,
  },
  {
    by: 'tenant_middleware',
    what: 'a tenant the user is not a member of',
    status: 403,
    method: 'get',
    url: (w) => `/api/v1/t/${w.other.slug}`,
    as: (w) => w.citizen,
  },
  {
    by: 'same_origin_middleware',
    what: 'a write from another site',
    status: 403,
    method: 'post',
    url: (w) => `${w.base}/forms/1/check`,
    as: (w) => w.citizen,
    json: {},
    headers: { origin: 'https://altro-sito.example' },
  },
  {
    by: 'body_parser_middleware',
    what: 'a body of a type not accepted',
    status: 415,
    method: 'post',
    url: (w) => `${w.base}/catalog/schools`,
    as: (w) => w.operator,
    raw: { type: 'text/plain', body: 'scuola' },
  },
  {
    by: 'handler',
    what: 'a body that is not JSON',
    status: 400,
    method: 'post',
    url: (w) => `${w.base}/catalog/schools`,
    as: (w) => w.operator,
    raw: { type: 'application/json', body: '{"code": ' },
  },
  {
    by: 'handler',
    what: 'a role that may not',
    status: 403,
    method: 'get',
    url: (w) => `${w.base}/inbox`,
    as: (w) => w.citizen,
  },
  // Controllers.
  {
    by: 'auth',
    what: 'a login without credentials',
    status: 422,
    method: 'post',
    url: () => '/api/v1/auth/login',
    json: {},
  },
  {
    by: 'auth',
    what: 'wrong credentials',
    status: 400,
    method: 'post',
    url: () => '/api/v1/auth/login',
    json: { email: 'nessuno@test.example', password: 'sbagliata-davvero' },
  },
  {
    by: 'tenants',
    what: 'a settings block that does not hold',
    status: 422,
    method: 'patch',
    url: (w) => w.base,
    as: (w) => w.admin,
    json: { settings: { protocol: { driver: 'fax' } } },
  },
  {
    by: 'tenants',
    what: 'a form window under a form key with a dot',
    status: 422,
    method: 'patch',
    url: (w) => w.base,
    as: (w) => w.admin,
    json: { settings: { enrolment: { 'nessuno.modulo': { opens: '2026-01-01' } } } },
  },
  {
    by: 'tenants',
    what: 'a control character in the settings',
    status: 422,
    method: 'patch',
    url: (w) => w.base,
    as: (w) => w.admin,
    json: { settings: { identity: { contacts: { address: 'Piazza\u0007' } } } },
  },
  {
    by: 'plugins',
    what: 'enabling a plugin that does not exist',
    status: 404,
    method: 'post',
    url: (w) => `${w.base}/plugins/nessuno/enable`,
    as: (w) => w.admin,
  },
  {
    by: 'plugin_settings',
    what: 'the settings of a plugin that has none',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/plugins/nessuno/settings`,
    as: (w) => w.admin,
  },
  {
    by: 'catalog',
    what: 'a school that does not exist',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/catalog/schools/nessuna`,
    as: (w) => w.operator,
  },
  {
    by: 'catalog',
    what: 'a school that does not validate',
    status: 422,
    method: 'post',
    url: (w) => `${w.base}/catalog/schools`,
    as: (w) => w.operator,
    json: { code: 'Con Spazi' },
  },
  {
    by: 'catalog_sources',
    what: 'an entry code that is not a code',
    status: 422,
    method: 'put',
    url: (w) => `${w.base}/catalog/sources/transport_lines/Non%20Valido`,
    as: (w) => w.operator,
    json: { name: 'Linea uno' },
  },
  {
    by: 'catalog_sources',
    what: 'an entry whose parent does not exist',
    status: 422,
    method: 'put',
    url: (w) => `${w.base}/catalog/sources/transport_stops/fermata-1`,
    as: (w) => w.operator,
    json: { name: 'Fermata uno', parent: 'nessuna-linea' },
  },
  {
    by: 'forms',
    what: 'a form that does not exist',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/forms/999999`,
    as: (w) => w.citizen,
  },
  {
    by: 'submissions',
    what: 'a submission that does not exist',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/submissions/999999`,
    as: (w) => w.citizen,
  },
  {
    by: 'inbox',
    what: 'an inbox filter that is not a status',
    status: 422,
    method: 'get',
    url: (w) => `${w.base}/inbox?status=smarrita`,
    as: (w) => w.operator,
  },
  {
    by: 'attachments',
    what: 'an attachment that does not exist',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/attachments/999999`,
    as: (w) => w.citizen,
  },
  {
    by: 'tariff_pdf',
    what: 'the tariff of a form that does not exist',
    status: 404,
    method: 'post',
    url: (w) => `${w.base}/forms/999999/tariff.pdf`,
    as: (w) => w.citizen,
    json: {},
  },
  {
    by: 'enrolments',
    what: 'an enrolment that does not exist',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/enrolments/999999`,
    as: (w) => w.operator,
  },
  {
    by: 'bulk_actions',
    what: 'a bulk action that does not exist',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/inbox/bulk/999999`,
    as: (w) => w.operator,
  },
  {
    by: 'counter',
    what: 'a citizen at the counter who does not exist',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/counter/citizens/999999`,
    as: (w) => w.operator,
  },
  {
    by: 'people',
    what: 'a person with a codice fiscale that does not hold',
    status: 422,
    method: 'post',
    url: (w) => `${w.base}/people`,
    as: (w) => w.operator,
    json: { kind: 'child', first_name: 'Anna', last_name: 'Rossi', fiscal_code: 'RSSNNA00A00A000A' },
  },
  {
    by: 'documents',
    what: 'documents asked for without saying whose',
    status: 422,
    method: 'get',
    url: (w) => `${w.base}/documents`,
    as: (w) => w.operator,
  },
  {
    by: 'attempts',
    what: 'an attempt that does not exist',
    status: 404,
    method: 'post',
    url: (w) => `${w.base}/attempts/999999/resolve`,
    as: (w) => w.operator,
    json: {},
  },
  {
    by: 'reports',
    what: 'a report that does not exist',
    status: 404,
    method: 'get',
    url: (w) => `${w.base}/reports/nessuno/export`,
    as: (w) => w.operator,
  },
  {
    by: 'rulesets',
    what: 'an evaluation without its date',
    status: 422,
    method: 'post',
    url: (w) => `${w.base}/rulesets/nessuna/evaluate`,
    as: (w) => w.operator,
    json: { facts: {} },
  },
  {
    by: 'form_designer',
    what: 'an import of a file that is not an exported form',
    status: 422,
    method: 'post',
    url: (w) => `${w.base}/forms/import`,
    as: (w) => w.admin,
    json: { hello: 'world' },
  },
  {
    by: 'form_blocchi',
    what: 'a try of the BLOCCO rules without sample data',
    status: 422,
    method: 'post',
    url: (w) => `${w.base}/forms/nessuno/blocchi/try`,
    as: (w) => w.admin,
    json: {},
  },
  {
    by: 'billing',
    what: 'a billing run without service and period',
    status: 422,
    method: 'post',
    url: (w) => `${w.base}/billing/runs`,
    as: (w) => w.operator,
    json: {},
  },
  {
    by: 'injunctions',
    what: 'injunction candidates after a negative number of days',
    status: 422,
    method: 'get',
    url: (w) => `${w.base}/billing/injunctions/candidates?after_days=-1`,
    as: (w) => w.operator,
  },
  // A plugin route (the fixture plugin `sample`): disabled, then a body its validator refuses.
  {
    by: 'plugin_routes',
    what: 'a plugin route where the plugin is not enabled',
    status: 404,
    method: 'get',
    url: (w) => `/api/v1/t/${w.other.slug}/sample/ping`,
    as: (w) => w.admin,
  },
  {
    by: 'plugin_routes',
    what: 'a plugin route body its validator refuses',
    status: 422,
    method: 'post',
    url: (w) => `${w.base}/sample/notes`,
    as: (w) => w.operator,
    json: { title: 42 },
  },
]

/** Controllers with no refusal of their own to show here (health answers 200 or 503 with its report). */
const WITHOUT_REFUSALS = new Set(['health'])

test.group('Error shape: every refusal is { errors: [{ path?, rule?, message }] }, in the language asked', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('each known failure answers its status in the one shape, in Italian or in English as asked', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    const other = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    await pluginService.enable(tenant, 'trasporto')
    const admin = await makeUser(tenant, ['tenant_admin'])
    // The admin is a member of the other tenant too, where `sample` is not enabled.
    const { default: Membership } = await import('#models/membership')
    const { RequestContext } = await import('#services/infrastructure/request_context')
    await RequestContext.withTenant(other.ref, () => Membership.create({ userId: admin.id, roles: ['tenant_admin'] }))
    const who: Who = {
      tenant,
      other,
      admin,
      citizen: await makeUser(tenant, ['citizen']),
      operator: await makeUser(tenant, ['operator']),
      base: `/api/v1/t/${tenant.slug}`,
    }
    const problems: string[] = []
    for (const c of CASES) {
      const said: Record<string, string> = {}
      for (const lang of ['it', 'en']) {
        let request = client[c.method](c.url(who)).header('accept-language', lang)
        for (const [name, value] of Object.entries(c.headers ?? {})) request = request.header(name, value)
        if (c.as) request = request.loginAs(c.as(who))
        if (c.raw) request = request.unsafeJson(c.raw.body).type(c.raw.type)
        else if (c.json !== undefined) request = request.json(c.json as object)
        const response = await request
        const where = `${c.by}: ${c.what} (${lang})`
        if (response.status() !== c.status) {
          problems.push(`${where}: status ${response.status()}, expected ${c.status}: ${response.text().slice(0, 200)}`)
          continue
        }
        const problem = errorShapeProblem(response.body())
        if (problem) problems.push(`${where}: ${problem}: ${JSON.stringify(response.body()).slice(0, 300)}`)
        said[lang] = response.body().errors?.[0]?.message ?? ''
        // One language per answer: never "italiano / English".
        if (/[A-Za-zÀ-ÿ]{2,}[^/]*\s\/\s[^/]*[A-Za-zÀ-ÿ]{2,}/.test(said[lang])) {
          problems.push(`${where}: written in two languages: ${said[lang]}`)
        }
      }
      // The same refusal, asked in Italian and in English, reads differently.
      if (said.it && said.it === said.en) problems.push(`${c.by}: ${c.what}: the same text in it and en: ${said.it}`)
    }
    assert.deepEqual(problems, [])
  })

  test('the table holds a failure of every controller', async ({ assert }) => {
    const files = await readdir(new URL('../../../app/controllers/', import.meta.url))
    const controllers = files.filter((f) => f.endsWith('_controller.ts')).map((f) => f.replace(/_controller\.ts$/, ''))
    const covered = new Set(CASES.map((c) => c.by))
    assert.deepEqual(
      controllers.filter((c) => !covered.has(c) && !WITHOUT_REFUSALS.has(c)),
      [],
      'a controller has no case in the table'
    )
  })

  test('a settings path is a JSON Pointer whose keys may hold dots', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const response = await client
      .patch(`/api/v1/t/${tenant.slug}`)
      .json({ settings: { enrolment: { 'nessuno.modulo': { opens: '2026-01-01' } } } })
      .loginAs(admin)
    response.assertStatus(422)
    assert.equal(response.body().errors[0].path, '/settings/enrolment/nessuno.modulo')
    assert.equal(response.body().errors[0].rule, 'settings')
  })
})
