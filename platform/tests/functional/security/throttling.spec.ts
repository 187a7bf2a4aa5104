import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import { limits } from '#config/limiter'
import { pluginService } from '#services/tenants/plugin_service'
import { makeTenant, makeUser } from '#tests/helpers/world'

const BASE = `http://${process.env.HOST === '0.0.0.0' ? '127.0.0.1' : process.env.HOST}:${process.env.PORT}`

async function login(email: string, password: string) {
  return fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
}

/** Clears what a test counted, so that the other tests' logins from the same address are not held up. */
async function forget(...keys: string[]) {
  const block = `${limits.loginBlockMinutes} mins`
  for (const requests of [limits.loginFailuresPerAccount, limits.loginFailuresPerAddress]) {
    const one = limiter.use({ requests, duration: block, blockDuration: block })
    for (const key of keys) await one.delete(key)
  }
}

test.group('Throttling', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('30 wrong passwords in a row lock the account: then even the right one waits, told how long', async ({
    assert,
    cleanup,
  }) => {
    const tenant = await makeTenant()
    const user = await makeUser(tenant, ['citizen'])
    cleanup(() => forget(`login:account:${user.email}`, 'login:address:127.0.0.1'))
    const statuses: number[] = []
    for (let i = 0; i < 30; i++) statuses.push((await login(user.email, `wrong-${i}`)).status)
    // The first ones are plain refusals, the rest are throttled.
    assert.deepEqual(statuses.slice(0, limits.loginFailuresPerAccount), Array(limits.loginFailuresPerAccount).fill(400))
    assert.isTrue(statuses.slice(limits.loginFailuresPerAccount).every((s) => s === 429))

    const right = await login(user.email, 'secret-password')
    assert.equal(right.status, 429)
    const retryAfter = Number(right.headers.get('retry-after'))
    assert.isAbove(retryAfter, 0)
    assert.isAtMost(retryAfter, limits.loginBlockMinutes * 60)
    const body = (await right.json()) as { errors: Array<{ message: string; rule: string }> }
    assert.equal(body.errors[0].rule, 'throttle')
    assert.match(body.errors[0].message, /riprova tra \d+ minut.* try again in \d+ minute/)
  }).timeout(60_000)

  test('wrong passwords over many accounts from one address lock the address', async ({ assert, cleanup }) => {
    const tenant = await makeTenant()
    const victim = await makeUser(tenant, ['citizen'])
    const before = limits.loginFailuresPerAddress
    limits.loginFailuresPerAddress = 4
    // Other suites' wrong passwords came from this address too: count from zero.
    await forget('login:address:127.0.0.1')
    cleanup(async () => {
      await forget('login:address:127.0.0.1', `login:account:${victim.email}`)
      limits.loginFailuresPerAddress = before
    })
    for (let i = 0; i < 4; i++) assert.equal((await login(`nobody${i}@test.example`, 'x')).status, 400)
    const blocked = await login(victim.email, 'secret-password')
    assert.equal(blocked.status, 429)
    assert.isAbove(Number(blocked.headers.get('retry-after')), 0)
    for (let i = 0; i < 4; i++) await forget(`login:account:nobody${i}@test.example`)
  })

  test('a successful login clears the failures of the account', async ({ assert, cleanup }) => {
    const tenant = await makeTenant()
    const user = await makeUser(tenant, ['citizen'])
    cleanup(() => forget(`login:account:${user.email}`, 'login:address:127.0.0.1'))
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < limits.loginFailuresPerAccount - 1; i++) await login(user.email, 'wrong')
      assert.equal((await login(user.email, 'secret-password')).status, 200)
    }
  })

  test('costly endpoints are limited per user with 429 and Retry-After', async ({ client, assert, cleanup }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const citizen = await makeUser(tenant, ['citizen'])
    const other = await makeUser(tenant, ['citizen'])
    const before = limits.evaluatePerMinute
    limits.evaluatePerMinute = 3
    cleanup(() => {
      limits.evaluatePerMinute = before
    })
    const url = `/api/v1/t/${tenant.slug}/rulesets/refezione.tariffa/evaluate`
    const body = { at: '2026-01-15', facts: { residence: 'piacenza', isee: 8000 } }
    for (let i = 0; i < 3; i++) (await client.post(url).json(body).loginAs(citizen)).assertStatus(200)
    const limited = await client.post(url).json(body).loginAs(citizen)
    limited.assertStatus(429)
    assert.isAbove(Number(limited.header('retry-after')), 0)
    assert.include(limited.body().errors[0].message, 'Troppe richieste')
    // Another user is not affected.
    ;(await client.post(url).json(body).loginAs(other)).assertStatus(200)
  })
})

test.group('Client address', () => {
  test('X-Forwarded-For is believed from a trusted proxy only (loopback by default, TRUSTED_PROXIES)', async ({
    assert,
  }) => {
    const { http } = await import('#config/app')
    assert.isTrue(http.trustProxy!('127.0.0.1', 0))
    assert.isFalse(http.trustProxy!('203.0.113.7', 0))
  })
})
