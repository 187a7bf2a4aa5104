import { test } from '@japa/runner'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import testUtils from '@adonisjs/core/services/test_utils'
import HttpExceptionHandler from '#exceptions/handler'
import { identifyingRequests } from '#services/infrastructure/request_id'

/** The id an answer carries ('' when none). */
const idOf = (response: { header(name: string): string | undefined }) => response.header('x-request-id') ?? ''

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

test.group('X-Request-Id', () => {
  test("every answer, an error's too, names its request with a new UUID", async ({ client, assert }) => {
    const first = await client.get('/health')
    const second = await client.get('/no-such-page')
    assert.match(idOf(first), UUID)
    second.assertStatus(404)
    assert.match(idOf(second), UUID)
    assert.notEqual(idOf(first), idOf(second))
  })

  test("keeps a proxy's id when it looks like one, and replaces any other", async ({ client, assert }) => {
    const kept = await client.get('/health').header('x-request-id', 'lb-7f3a.2026:0042')
    assert.equal(idOf(kept), 'lb-7f3a.2026:0042')
    for (const given of ['two words', 'x'.repeat(129), '<script>', 'a"b', '']) {
      const replaced = await client.get('/health').header('x-request-id', given)
      assert.match(idOf(replaced), UUID, JSON.stringify(given))
    }
  })

  test('hands the framework the id it answers with; a header given twice counts as none', ({ assert }) => {
    const seen: Array<string | string[] | undefined> = []
    const headers = new Map<string, string>()
    const handler = identifyingRequests((req) => seen.push(req.headers['x-request-id']))
    const res = { setHeader: (name: string, value: string) => headers.set(name, value) }
    handler({ headers: {} } as IncomingMessage, res as unknown as ServerResponse)
    handler({ headers: { 'x-request-id': ['a', 'b'] } } as unknown as IncomingMessage, res as unknown as ServerResponse)
    assert.lengthOf(seen, 2)
    assert.match(String(seen[1]), UUID)
    assert.equal(headers.get('x-request-id'), seen[1])
    assert.match(String(seen[0]), UUID)
  })

  test('an unexpected error answers 500 with the reference to give the office, in either language', async ({
    assert,
  }) => {
    for (const [language, words] of [
      ['it', "comunica all'ente il riferimento"],
      ['en', 'give the office the reference'],
    ]) {
      const req = new IncomingMessage(new Socket())
      req.headers['x-request-id'] = 'ref-2026.0042'
      req.headers['accept-language'] = language
      const ctx = await testUtils.createHttpContext({ req, res: new ServerResponse(req) })
      await new HttpExceptionHandler().handle(new Error('a bug'), ctx)
      assert.equal(ctx.response.getStatus(), 500)
      const message: string = ctx.response.getBody().errors[0].message
      assert.include(message, `${words} ref-2026.0042.`)
      assert.notInclude(message, 'a bug')
    }
  })
})
