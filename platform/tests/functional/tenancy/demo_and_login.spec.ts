import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DEMO_PASSWORD, DEMO_TENANTS, DEMO_USERS, seedDemo } from '#services/content/demo_seeder'
import { pluginService } from '#services/tenants/plugin_service'
import Tenant from '#models/tenant'
import db from '@adonisjs/lucid/services/db'

test.group('Demo data and login', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the demo seed is idempotent and enables the planned services', async ({ assert }) => {
    await seedDemo()
    await seedDemo()
    for (const spec of DEMO_TENANTS) {
      const tenants = await Tenant.query().where('slug', spec.slug)
      assert.lengthOf(tenants, 1)
      assert.sameMembers(await pluginService.enabledIds(tenants[0]), [...spec.plugins])
    }
    // Plugins' demo hooks ran, once: the canteen's calendar for the demo comune, marked as demo data.
    const piacenza = await Tenant.findByOrFail('slug', 'piacenza')
    const years = await db.from('refezione_school_years').where('tenant_id', piacenza.id)
    assert.lengthOf(years, 1)
    assert.isTrue(Boolean(years[0].demo))
    const kitchens = await db.from('refezione_kitchens').where('tenant_id', piacenza.id)
    assert.lengthOf(kitchens, 2)
    // A day of attendance and its orders for the demo kitchens, once however often the seed runs:
    // the last canteen day of the last three weeks, so none in the summer holidays.
    if ([7, 8].includes(new Date().getUTCMonth() + 1)) return
    const orders = await db.from('refezione_orders').where('tenant_id', piacenza.id)
    assert.isAbove(orders.length, 0)
    assert.lengthOf(new Set(orders.map((o) => o.day)), 1)
    assert.lengthOf(new Set(orders.map((o) => o.kitchen_code)), orders.length)
    const marks = await db.from('refezione_marks').where('tenant_id', piacenza.id)
    assert.isAbove(marks.length, 0)
  })

  test('every demo user logs in with the printed password and sees their roles', async ({ assert }) => {
    await seedDemo()
    // Plain HTTP with the cookies the login sets, as a browser would use them.
    const base = `http://${process.env.HOST === '0.0.0.0' ? '127.0.0.1' : process.env.HOST}:${process.env.PORT}`
    for (const user of DEMO_USERS) {
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: DEMO_PASSWORD }),
      })
      assert.equal(login.status, 200, user.email)
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ')
      const me = await fetch(`${base}/api/v1/auth/me`, { headers: { cookie } })
      assert.equal(me.status, 200, user.email)
      const body = (await me.json()) as { user: { email: string; tenants: unknown; isPlatformAdmin: boolean } }
      assert.equal(body.user.email, user.email)
      if (user.tenant) {
        assert.deepEqual(body.user.tenants, [
          { slug: user.tenant, name: DEMO_TENANTS.find((t) => t.slug === user.tenant)!.name, roles: user.roles },
        ])
      } else {
        assert.isTrue(body.user.isPlatformAdmin)
      }
    }
  })

  test('a wrong password is refused with a clear message', async ({ client, assert }) => {
    await seedDemo()
    const response = await client.post('/api/v1/auth/login').json({ email: DEMO_USERS[0].email, password: 'wrong' })
    response.assertStatus(400)
    assert.include(response.body().errors[0].message, 'Credenziali non valide')
  })

  test('anonymous requests to tenant routes are refused', async ({ client }) => {
    await seedDemo()
    const response = await client.get('/api/v1/t/piacenza')
    response.assertStatus(401)
  })
})
