import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import env from '#start/env'
import User from '#models/user'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'

/** Plain HTTP with the cookies the server sets, as a browser (or someone who copied them) would. */
const BASE = `http://${process.env.HOST === '0.0.0.0' ? '127.0.0.1' : process.env.HOST}:${process.env.PORT}`

function cookiesOf(response: Response) {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
}

function sessionId(cookie: string) {
  return /sportello-session=([^;]+)/.exec(cookie)?.[1] ?? null
}

async function login(email: string, cookie = '') {
  return fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ email, password: 'secret-password' }),
  })
}

test.group('Sessions live on the server', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the store is a server-side one', ({ assert }) => {
    assert.include(['database', 'redis'], env.get('SESSION_DRIVER'))
  })

  test('a cookie replayed after logout is refused with 401', async ({ assert }) => {
    const tenant = await makeTenant()
    const user = await makeUser(tenant, ['citizen'])
    const cookie = cookiesOf(await login(user.email))
    const me = await fetch(`${BASE}/api/v1/auth/me`, { headers: { cookie } })
    assert.equal(me.status, 200)

    const logout = await fetch(`${BASE}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } })
    assert.equal(logout.status, 204)
    // The copy someone kept of the cookie from before the logout.
    const replay = await fetch(`${BASE}/api/v1/auth/me`, { headers: { cookie } })
    assert.equal(replay.status, 401)
    const tenantRead = await fetch(`${BASE}/api/v1/t/${tenant.slug}`, { headers: { cookie } })
    assert.equal(tenantRead.status, 401)
  })

  test('a disabled user is refused at the next request of an open session, and cannot log in', async ({ assert }) => {
    const tenant = await makeTenant()
    const user = await makeUser(tenant, ['operator'])
    const cookie = cookiesOf(await login(user.email))
    assert.equal((await fetch(`${BASE}/api/v1/t/${tenant.slug}`, { headers: { cookie } })).status, 200)

    await RequestContext.asSystem('test', async () => {
      const row = await User.findOrFail(user.id)
      row.disabledAt = DateTime.now()
      await row.save()
    })
    const refused = await fetch(`${BASE}/api/v1/t/${tenant.slug}`, { headers: { cookie } })
    assert.equal(refused.status, 401)
    assert.include(((await refused.json()) as { errors: Array<{ message: string }> }).errors[0].message, 'disabilitato')

    const again = await login(user.email)
    assert.equal(again.status, 403)
    assert.include(((await again.json()) as { errors: Array<{ message: string }> }).errors[0].message, 'disabilitato')
  })

  test('logging in gives a new session id (no fixation)', async ({ assert }) => {
    const tenant = await makeTenant()
    const attacker = await makeUser(tenant, ['citizen'])
    const user = await makeUser(tenant, ['citizen'])
    // A valid signed session cookie (the attacker's own) planted in a victim's browser.
    const planted = cookiesOf(await login(attacker.email))
    assert.isNotNull(sessionId(planted))
    const logged = await login(user.email, planted)
    assert.equal(logged.status, 200)
    const after = cookiesOf(logged)
    assert.isNotNull(sessionId(after))
    assert.notEqual(sessionId(after), sessionId(planted))
    // The planted id was not promoted to the victim's session.
    const plantedMe = await fetch(`${BASE}/api/v1/auth/me`, { headers: { cookie: planted } })
    assert.notEqual(((await plantedMe.json()) as { user?: { id: number } }).user?.id, user.id)
  })

  test('an anonymous answer sets no session cookie, so a request in flight during a login cannot undo it', async ({
    assert,
  }) => {
    const tenant = await makeTenant()
    const user = await makeUser(tenant, ['citizen'])
    // The login page asks who is logged in and which directories exist, while the person logs in.
    const before = cookiesOf(await fetch(`${BASE}/api/v1/auth/me`))
    assert.isNull(sessionId(before), 'an anonymous 401 sets no session cookie')
    const loggedIn = cookiesOf(await login(user.email))
    for (const cookie of ['', loggedIn.replace(/sportello-session=[^;]+/, 'sportello-session=x')]) {
      const late = await fetch(`${BASE}/api/v1/auth/directories`, { headers: { cookie } })
      assert.equal(late.status, 200)
      assert.isNull(sessionId(cookiesOf(late)), 'an anonymous answer arriving after the login left the cookie alone')
    }
    assert.equal((await fetch(`${BASE}/api/v1/auth/me`, { headers: { cookie: loggedIn } })).status, 200)
    // A logged-in answer still renews its own cookie.
    const renewed = await fetch(`${BASE}/api/v1/auth/me`, { headers: { cookie: loggedIn } })
    assert.equal(sessionId(cookiesOf(renewed)), sessionId(loggedIn))
  })
})
