/**
 * A tenant request reads its user, the tenant and the user's membership in it by one statement
 * (user_with_tenant_provider.ts), read afresh at every request: the answers are those of the
 * separate reads, and a membership changed behind the process's back counts at the next request.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { withSchoolCatalog } from '#tests/helpers/catalog'
import { loadSchoolCatalog } from '#services/tenants/school_catalog_service'
import { onQueriesWhile, queriesWhile, sqlitePlan } from '#tests/helpers/statements'

/** The statements run on behalf of requests of `userId` while `fn` runs. */
async function statementsOf(userId: number, fn: () => Promise<unknown>) {
  const byContext = new Map<object, string[]>()
  await onQueriesWhile((query) => {
    const store = RequestContext.current()
    if (!store) return
    const list = byContext.get(store) ?? []
    list.push(query.sql)
    byContext.set(store, list)
  }, fn)
  return [...byContext]
    .filter(([store]) => (store as { actor?: { userId: number | null } }).actor?.userId === userId)
    .flatMap(([, list]) => list)
}

const reading = (table: string) => new RegExp(`^select\\b.*\\bfrom [\`"]${table}[\`"]`, 'i')

test.group('Tenancy: the user read with the tenant and membership', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('one statement reads the user, the tenant and the membership', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    let body: Record<string, any> = {}
    const statements = await statementsOf(admin.id, async () => {
      const response = await client.get(`/api/v1/t/${tenant.slug}`).loginAs(admin)
      response.assertStatus(200)
      body = response.body()
    })
    const users = statements.filter((sql) => reading('users').test(sql))
    assert.lengthOf(users, 1, `one read of the user, seen:\n${statements.join('\n')}`)
    assert.match(users[0], /join [`"]tenants[`"]/)
    assert.match(users[0], /join [`"]memberships[`"]/)
    assert.deepEqual(
      statements.filter((sql) => reading('tenants').test(sql)),
      [],
      `the tenant not read again, seen:\n${statements.join('\n')}`
    )
    assert.equal(body.tenant.name, tenant.name)
    assert.equal(body.tenant.slug, tenant.slug)
    assert.deepEqual(body.access, { roles: ['tenant_admin'], isPlatformAdmin: false })
  })

  test('an unknown tenant, a stranger, a platform admin answer as before', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const other = await makeTenant()
    const member = await makeUser(tenant, ['tenant_admin'])
    const platformAdmin = await makeUser(null, [], { isPlatformAdmin: true })
    const unknown = await client.get('/api/v1/t/no-such-comune').loginAs(member)
    unknown.assertStatus(404)
    assert.include(JSON.stringify(unknown.body()), 'no-such-comune')
    const stranger = await client.get(`/api/v1/t/${other.slug}`).loginAs(member)
    stranger.assertStatus(403)
    assert.notInclude(JSON.stringify(stranger.body()), other.name)
    const admin = await client.get(`/api/v1/t/${other.slug}`).loginAs(platformAdmin)
    admin.assertStatus(200)
    assert.equal(admin.body().tenant.name, other.name)
    assert.deepEqual(admin.body().access, { roles: [], isPlatformAdmin: true })
    // The user's own answer carries nothing of the joined read.
    const me = await client.get('/api/v1/auth/me').loginAs(member)
    me.assertStatus(200)
    assert.notInclude(JSON.stringify(me.body()), 'tenant__')
    assert.notInclude(JSON.stringify(me.body()), 'membership_')
  })

  test('a role taken away or a membership removed behind the process counts at the next request', async ({
    client,
  }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    ;(await client.get(`/api/v1/t/${tenant.slug}/members`).loginAs(admin)).assertStatus(200)
    // Written past the models, as another process would: nothing of it is kept by this one.
    await db
      .from('memberships')
      .where('user_id', admin.id)
      .update({ roles: JSON.stringify(['operator']) })
    ;(await client.get(`/api/v1/t/${tenant.slug}/members`).loginAs(admin)).assertStatus(403)
    ;(await client.get(`/api/v1/t/${tenant.slug}`).loginAs(admin)).assertStatus(200)
    await db.from('memberships').where('user_id', admin.id).delete()
    ;(await client.get(`/api/v1/t/${tenant.slug}`).loginAs(admin)).assertStatus(403)
  })
  test("a user's memberships and a school's classes are sought by their key, not read through", async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    await withSchoolCatalog(tenant)
    const citizen = await makeUser(tenant, ['citizen'])
    const seen = await queriesWhile(/from [`"](memberships|school_classes)[`"]/, async () => {
      const me = await client.get('/api/v1/auth/me').loginAs(citizen)
      me.assertStatus(200)
      assert.deepEqual(
        me.body().user.tenants.map((t: { slug: string }) => t.slug),
        [tenant.slug]
      )
      const catalog = await RequestContext.withTenant(tenant.ref, () => loadSchoolCatalog())
      assert.isNotEmpty(catalog.school('pc-primaria-alberoni')?.classes)
    })
    const byUser = seen.filter((q) => /from [`"]memberships[`"] where [`"]user_id[`"] = (\?|\$1)$/.test(q.sql))
    const bySchool = seen.filter((q) => /from [`"]school_classes[`"] where [`"]school_id[`"] in/.test(q.sql))
    assert.isNotEmpty(byUser, seen.map((q) => q.sql).join('\n'))
    assert.isNotEmpty(bySchool, seen.map((q) => q.sql).join('\n'))
    for (const query of [...byUser, ...bySchool]) {
      // The keys starting with the tenant do not serve these reads: without their own index, every
      // membership (every class) of every tenant was read.
      const plan = await sqlitePlan(query)
      if (plan === null) return
      assert.notMatch(plan, /\bSCAN\b/, `${query.sql}\n${plan}`)
    }
  })
})
