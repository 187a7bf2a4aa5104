import { test } from '@japa/runner'
import { SmsChannel, SmsGatewayClient, SmsGatewayError } from '#integrations/sms/sms_gateway_client'
import { SmsSimulator } from '#integrations/sms/sms_simulator'
import { smsSegments, normalisePhone } from '#integrations/sms/sms_text'
import { NoticeRefusedError, type NoticeMessage } from '#integrations/notices/notice_channel'
import { ServiceUnavailableError } from '#integrations/http/http_call'

const KEY = 'sms-chiave'

function message(key: string, overrides: Partial<NoticeMessage> = {}): NoticeMessage {
  return {
    idempotencyKey: key,
    recipient: { name: 'Mario Rossi', phone: '347 123 4567' },
    subject: 'Avviso di pagamento',
    text: 'Comune di Piacenza: refezione di marzo, 45,20 euro entro il 30/04/2026. Avviso 301000000000000144.',
    ...overrides,
  }
}

test.group('SMS gateway client against the SMS simulator', (group) => {
  let simulator: SmsSimulator
  let channel: SmsChannel
  group.each.setup(async () => {
    simulator = await new SmsSimulator({ keys: [KEY] }).start()
    channel = new SmsChannel(
      new SmsGatewayClient({ url: simulator.url, apiKey: () => KEY, sender: 'ComunePC', backoffMs: 5, timeoutMs: 2000 })
    )
    return () => simulator.close()
  })

  test('sends the text to the number in international format, from the tenant’s sender', async ({ assert }) => {
    const outcome = await channel.send(message('n-1'))
    assert.equal(outcome.status, 'sent')
    const [stored] = simulator.messages()
    assert.equal(outcome.providerId, stored.id)
    assert.deepInclude(stored, {
      reference: 'n-1',
      to: '+393471234567',
      from: 'ComunePC',
      segments: 1,
      status: 'delivered',
    })
  })

  test('the same reference twice is delivered once, with the same id', async ({ assert }) => {
    const first = await channel.send(message('n-2'))
    const second = await channel.send(message('n-2'))
    assert.equal(first.providerId, second.providerId)
    assert.lengthOf(simulator.messages(), 1)
    const direct = new SmsGatewayClient({ url: simulator.url, apiKey: () => KEY, sender: 'ComunePC' })
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => direct.send({ to: '+393470000000', text: 'x', reference: 'n-3' }))
    )
    assert.equal(new Set(answers.map((a) => a.id)).size, 1)
    assert.equal(answers.filter((a) => !a.duplicate).length, 1)
  })

  test('a wrong number or a text too long is refused before leaving, naming the field', async ({ assert }) => {
    const wrong = await channel.send(message('n-4', { recipient: { name: 'X', phone: '12' } })).catch((e) => e)
    assert.instanceOf(wrong, NoticeRefusedError)
    assert.equal(wrong.field, 'recipient.phone')
    assert.match(wrong.messages.it, /non è un numero di cellulare/)
    const long = await channel.send(message('n-5', { text: 'x'.repeat(153 * 6 + 1) })).catch((e) => e)
    assert.equal(long.field, 'text')
    const none = await channel.send(message('n-6', { recipient: { name: 'X', phone: null } }))
    assert.equal(none.status, 'undeliverable')
    assert.lengthOf(simulator.requests, 0)
  })

  test('the gateway refuses what the client let through: 400 with its code', async ({ assert }) => {
    const bad = new SmsChannel(
      new SmsGatewayClient({ url: simulator.url, apiKey: () => KEY, sender: 'Sender name too long' })
    )
    const error = await bad.send(message('n-7')).catch((e) => e)
    assert.instanceOf(error, NoticeRefusedError)
    assert.equal(error.field, 'invalid_sender')
  })

  test('429 waits what Retry-After asks, 5xx is retried, a lasting failure is ServiceUnavailable', async ({
    assert,
  }) => {
    simulator.failNext(1, { status: 429, retryAfter: 1 })
    simulator.failNext(1, { status: 503 })
    const started = Date.now()
    assert.equal((await channel.send(message('n-8'))).status, 'sent')
    assert.isAtLeast(Date.now() - started, 950)
    assert.lengthOf(simulator.requests, 3)

    simulator.failNext(4, { status: 500 })
    const error = await channel.send(message('n-9')).catch((e) => e)
    assert.instanceOf(error, ServiceUnavailableError)
    assert.match(error.message, /SMS send: service unavailable \(HTTP 500.*after 4 attempts\)/)
  })

  test('a wrong key is a 401 that says to check the key', async ({ assert }) => {
    const client = new SmsGatewayClient({ url: simulator.url, apiKey: () => 'no', sender: 'ComunePC' })
    const error = await client.send({ to: '+393471234567', text: 'x', reference: 'r' }).catch((e) => e)
    assert.instanceOf(error, SmsGatewayError)
    assert.equal(error.status, 401)
    assert.match(error.message, /check the gateway key/)
  })

  test('the simulator can be told over HTTP to fail a number: accepted, then failed', async ({ assert }) => {
    await fetch(`${simulator.url}/sim/fail`, { method: 'POST', body: JSON.stringify({ number: '+393479999999' }) })
    await channel.send(message('n-10', { recipient: { name: 'X', phone: '+39 347 999 9999' } }))
    const listed = await (
      await fetch(`${simulator.url}/v1/messages?reference=n-10`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()
    assert.equal((listed as { messages: Array<{ status: string }> }).messages[0].status, 'failed')
  })
})

test.group('SMS text rules', () => {
  test('segments: GSM-7 160/153, extension characters count twice, anything else UCS-2 70/67', ({ assert }) => {
    assert.deepEqual(smsSegments('a'.repeat(160)), { encoding: 'GSM-7', units: 160, segments: 1 })
    assert.equal(smsSegments('a'.repeat(161)).segments, 2)
    assert.equal(smsSegments('€'.repeat(80)).units, 160)
    assert.equal(smsSegments('àèéìòù').encoding, 'GSM-7')
    assert.deepEqual(smsSegments('ç'.repeat(70)), { encoding: 'UCS-2', units: 70, segments: 1 })
    assert.equal(smsSegments('Ş'.repeat(71)).segments, 2)
  })

  test('phone numbers', ({ assert }) => {
    assert.equal(normalisePhone('347 123 4567'), '+393471234567')
    assert.equal(normalisePhone('0039 347-1234567'), '+393471234567')
    assert.equal(normalisePhone('+41 79 123 45 67'), '+41791234567')
    assert.isNull(normalisePhone('0523 492111'))
    assert.isNull(normalisePhone('abc'))
  })
})
