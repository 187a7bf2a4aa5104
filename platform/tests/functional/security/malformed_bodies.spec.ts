import { test } from '@japa/runner'
import type { ReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import router from '@adonisjs/core/services/router'
import { errorShapeProblem } from '#shared/contract'
import { refezioneTenant } from '../forms/world.js'
import { makeUser, transactionWithJobs } from '../../helpers/world.js'

/**
 * Every route, anonymous and logged in, with the bodies clients and attackers get wrong: never a
 * 500, always the platform's error shape.
 */
const DEEP_ARRAY = '['.repeat(3000) + ']'.repeat(3000)
const DEEP_OBJECT = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000)
const DEEP_DATA = `{"data":${DEEP_OBJECT},"facts":${DEEP_ARRAY},"at":"2026-01-15"}`
const HUGE = JSON.stringify({ data: { note: 'x'.repeat(1_500_000) }, facts: { isee: '9'.repeat(40_000) } })
const PROTO = JSON.stringify({ constructor: { prototype: { x: 1 } }, toString: 'x', valueOf: 1 }).replace(
  /^\{/,
  '{"__proto__":{"polluted":true},'
)

const BODIES: Array<{ name: string; type: string; body: string }> = [
  { name: 'JSON nested 3000 deep (array)', type: 'application/json', body: DEEP_ARRAY },
  { name: 'JSON nested 3000 deep (object)', type: 'application/json', body: DEEP_OBJECT },
  { name: 'JSON nested 3000 deep inside data/facts', type: 'application/json', body: DEEP_DATA },
  { name: 'prototype keys', type: 'application/json', body: PROTO },
  { name: 'huge strings', type: 'application/json', body: HUGE },
  { name: 'not JSON', type: 'application/json', body: '{"a":' },
  { name: 'a JSON string', type: 'application/json', body: '"x"' },
  { name: 'JSON null', type: 'application/json', body: 'null' },
  { name: 'text/plain', type: 'text/plain', body: '{"data":{}}' },
  { name: 'XML', type: 'application/xml', body: '<a/>' },
  {
    name: 'form-encoded with prototype keys',
    type: 'application/x-www-form-urlencoded',
    body: '__proto__[x]=1&a[b][c][d][e][f][g]=1&constructor[prototype][y]=2',
  },
  { name: 'form-encoded deep', type: 'application/x-www-form-urlencoded', body: 'a' + '[a]'.repeat(3000) + '=1' },
]

function concrete(pattern: string, slug: string) {
  return pattern
    .replace(':tenant', slug)
    .replace(/:id\b/, 'refezione.iscrizione')
    .replace(/:plugin\b/, 'refezione')
    .replace(/:[a-z_]+/g, '1')
    .replace('*', 'x')
}

function routes() {
  const all = Object.values(router.toJSON()).flat()
  return all.flatMap((route) =>
    route.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, pattern: route.pattern }))
  )
}

test.group('Malformed bodies on every route', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('never a 500, always {errors:[{path?, rule?, message}]}', async ({ client, assert }) => {
    const { tenant } = await refezioneTenant()
    const staff = await makeUser(tenant, ['citizen', 'operator', 'tenant_admin', 'designer'])
    const failures: string[] = []
    for (const { method, pattern } of routes()) {
      if (method === 'GET' && !pattern.startsWith('/api')) continue
      const url = concrete(pattern, tenant.slug)
      for (const who of [null, staff]) {
        const bodies = method === 'GET' ? [{ name: 'hostile query string', type: '', body: '' }] : BODIES
        for (const { name, type, body } of bodies) {
          let request = client.request(
            method === 'GET' ? `${url}?field=__proto__&limit=1e99&order[$gt]=1&page=-1&${'q[a]'.repeat(200)}=1` : url,
            method as 'POST'
          )
          if (type) request = request.type(type).unsafeJson(body)
          if (who) request = request.loginAs(who)
          const response = await request
          const status = response.status()
          if (status >= 500 || (status >= 400 && errorShapeProblem(response.body()) !== null)) {
            failures.push(
              `${method} ${pattern} ${who ? 'staff' : 'anonymous'} / ${name}: ${status} ${JSON.stringify(response.body()).slice(0, 200)}`
            )
          }
        }
      }
    }
    assert.deepEqual(failures, [])
  }).timeout(300_000)

  test('an upload whose field is a prototype key is a 422, not a 500', async ({ client, assert }) => {
    const { citizen, base } = await refezioneTenant()
    for (const field of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const response = await client
        .post(`${base}/forms/refezione.iscrizione/attachments`)
        .qs({ field })
        .file('file', Buffer.from('%PDF-1.4\n%%EOF\n'), { filename: 'a.pdf' })
        .loginAs(citizen)
      response.assertStatus(422)
      assert.equal(response.body().errors[0].rule, 'attachment:field')
    }
  })

  test('a 25 MB upload is refused naming the real limit', async ({ client, assert }) => {
    const { citizen, base } = await refezioneTenant()
    const response = await client
      .post(`${base}/forms/refezione.iscrizione/attachments`)
      .header('connection', 'keep-alive')
      .qs({ field: '/disability_104_certificate' })
      .file('file', Buffer.alloc(25 * 1024 * 1024, 1), { filename: 'big.pdf' })
      .loginAs(citizen)
    response.assertStatus(413)
    assert.include(response.body().errors[0].message, '20 MB')
    assert.notInclude(response.body().errors[0].message, '2mb')
  })

  test('an upload is not read before the caller is let in: anonymous 401, another tenant 403, not a 413', async ({
    client,
  }) => {
    const { base } = await refezioneTenant()
    const other = await refezioneTenant()
    const big = Buffer.alloc(25 * 1024 * 1024, 1)
    const upload = () =>
      client
        .post(`${base}/forms/refezione.iscrizione/attachments`)
        // Answered before the body is read: on a kept connection the server reads past it (see below).
        .header('connection', 'keep-alive')
        .qs({ field: '/disability_104_certificate' })
        .file('file', big, { filename: 'big.pdf' })
    ;(await upload()).assertStatus(401)
    ;(await upload().loginAs(other.citizen)).assertStatus(403)
  })

  test('an upload sent without a length is counted as it arrives and refused past the limit', async ({
    client,
    assert,
  }) => {
    const { citizen, base } = await refezioneTenant()
    let sent = 0
    const endless = new Readable({
      read() {
        sent += 1024 * 1024
        this.push(sent > 40 * 1024 * 1024 ? null : Buffer.alloc(1024 * 1024, 0x20))
      },
    })
    // The answer comes before the body's end. Asked to close the connection after it (the test
    // client's default), the server would do so while the client still writes; on a kept
    // connection it reads the rest, up to twice the limit, and the client reads the answer.
    const response = await client
      .post(`${base}/forms/refezione.iscrizione/attachments`)
      .header('connection', 'keep-alive')
      .qs({ field: '/disability_104_certificate' })
      .file('file', endless as unknown as ReadStream, { filename: 'big.pdf', contentType: 'application/pdf' })
      .loginAs(citizen)
    response.assertStatus(413)
    assert.include(response.body().errors[0].message, '20 MB')
  })

  test('multipart field names nested, long or repeated, and bodies of many parts, are refused with a reason', async ({
    client,
    assert,
  }) => {
    const { citizen, base } = await refezioneTenant()
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n')
    const upload = () =>
      client
        .post(`${base}/forms/refezione.iscrizione/attachments`)
        .qs({ field: '/disability_104_certificate' })
        .loginAs(citizen)
    for (const name of ['a' + '[b]'.repeat(3000), 'x'.repeat(41), 'constructor', '__proto__']) {
      const response = await upload().field(name, 'x').file('file', pdf, { filename: 'a.pdf' })
      response.assertStatus(400)
      assert.equal(response.body().errors[0].rule, 'body:field')
      assert.include(response.body().errors[0].message, 'non ammesso')
    }
    // A part's headers are bounded: a name of 100,000 characters is an unreadable body.
    const huge = await upload().field('x'.repeat(100_000), 'x').file('file', pdf, { filename: 'a.pdf' })
    huge.assertStatus(400)
    assert.equal(huge.body().errors[0].rule, 'body:multipart')
    const twice = await upload().file('file', pdf, { filename: 'a.pdf' }).file('file', pdf, { filename: 'b.pdf' })
    twice.assertStatus(413)
    const many = upload().file('file', pdf, { filename: 'a.pdf' })
    for (let i = 0; i < 11; i++) many.field(`f${i}`, 'x')
    const refused = await many
    refused.assertStatus(413)
    assert.equal(refused.body().errors[0].rule, 'body:parts')
    assert.include(refused.body().errors[0].message, 'un solo file')
    const longValue = await upload().field('note', 'x'.repeat(9000)).file('file', pdf, { filename: 'a.pdf' })
    longValue.assertStatus(413)
    assert.include(longValue.body().errors[0].message, '"note" è più lungo di 8192 byte')
  })
})
