import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import testUtils from '@adonisjs/core/services/test_utils'
import Membership from '#models/membership'
import AuditLog from '#models/audit_log'
import { ROLES } from '#services/tenants/roles'
import { MissingTenantContextError, RequestContext } from '#services/infrastructure/request_context'
import { pluginService } from '#services/tenants/plugin_service'
import { makeTenant, makeUser } from '#tests/helpers/world'

/** Every route under /api/v1/t/:tenant, as [method, pattern] pairs, read from the router itself. */
function tenantRoutes() {
  router.commit()
  const all = Object.values(router.toJSON()).flat()
  return all
    .filter((route) => route.pattern.startsWith('/api/v1/t/:tenant'))
    .flatMap((route) => route.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, pattern: route.pattern })))
}

function fill(pattern: string, slug: string) {
  return pattern
    .replace(':tenant', slug)
    .replace(':plugin', 'refezione')
    .replace(/:[a-z_]+/g, '1')
}

test.group('Tenant isolation', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a user of tenant A gets nothing of tenant B through any tenant route', async ({ client, assert }) => {
    const a = await makeTenant()
    const b = await makeTenant()
    await pluginService.enable(b, 'refezione')
    // Every role in A, so no route is refused merely for lack of a role.
    const userOfA = await makeUser(a, [...ROLES])
    const routes = tenantRoutes()
    assert.isAbove(routes.length, 5)

    for (const { method, pattern } of routes) {
      const url = fill(pattern, b.slug)
      const response = await client.request(url, method).json({}).loginAs(userOfA)
      assert.equal(response.status(), 403, `${method} ${url} must be refused, got ${response.status()}`)
      assert.notInclude(JSON.stringify(response.body()), b.name, `${method} ${url} leaked tenant B`)
    }
  })

  test('the same routes do answer for the member of the tenant', async ({ client, assert }) => {
    const a = await makeTenant()
    const admin = await makeUser(a, ['tenant_admin'])
    for (const path of ['', '/members', '/audit', '/plugins']) {
      const response = await client.get(`/api/v1/t/${a.slug}${path}`).loginAs(admin)
      assert.equal(response.status(), 200, `GET ${path}`)
    }
  })

  test('models see only the tenant in context and fail closed without one', async ({ assert }) => {
    const a = await makeTenant()
    const b = await makeTenant()
    await makeUser(a, ['operator'])
    await makeUser(b, ['operator'])
    await makeUser(b, ['citizen'])

    const inA: Membership[] = await RequestContext.run({}, () =>
      RequestContext.withTenant(a.ref, () => Membership.query())
    )
    assert.lengthOf(inA, 1)
    assert.isTrue(inA.every((m) => m.tenantId === a.id))

    const auditInB = await RequestContext.withTenant(b.ref, () => AuditLog.query())
    assert.isTrue(auditInB.length > 0 && auditInB.every((e) => e.tenantId === b.id))

    assert.throws(() => RequestContext.run({}, () => Membership.query()), MissingTenantContextError as never)
  })

  test('a row cannot be written into another tenant', async ({ assert }) => {
    const a = await makeTenant()
    const b = await makeTenant()
    const user = await makeUser(a, ['operator'])
    await assert.rejects(
      () =>
        RequestContext.withTenant(a.ref, () =>
          Membership.create({ userId: user.id, roles: ['citizen'], tenantId: b.id })
        ),
      /another tenant/
    )
  })
})
