import { test } from '@japa/runner'
import { IoChannel, IoClient, IoError, IoMessageError } from '#integrations/appio/io_client'
import { IoSimulator } from '#integrations/appio/io_simulator'
import { NoticeRefusedError, type NoticeMessage } from '#integrations/notices/notice_channel'
import { ServiceUnavailableError } from '#integrations/http/http_call'

const KEY = 'io-chiave'
const ON_IO = 'RSSMRA85T10A562S'
const SERVICE_OFF = 'STTSGT90A01H501J'
const NOT_ON_IO = 'BSCMTT83A12L719R'
const MARKDOWN =
  'Gentile famiglia, è disponibile l’avviso di pagamento della **refezione scolastica** di marzo 2026: 45,20 euro entro il 30 aprile.'

function message(key: string, fiscalCode: string, overrides: Partial<NoticeMessage> = {}): NoticeMessage {
  return {
    idempotencyKey: key,
    recipient: { name: 'Mario Rossi', fiscalCode },
    subject: 'Refezione scolastica: avviso di marzo 2026',
    text: 'Avviso di pagamento',
    markdown: MARKDOWN,
    payment: {
      amountCents: 4520,
      noticeNumber: '301000000000000144',
      payeeFiscalCode: '00229080338',
      dueDate: '2026-04-30',
    },
    ...overrides,
  }
}

test.group('App IO client against the IO simulator', (group) => {
  let simulator: IoSimulator
  let client: IoClient
  let channel: IoChannel
  group.each.setup(async () => {
    simulator = await new IoSimulator({
      keys: [KEY],
      profiles: { [ON_IO]: { senderAllowed: true }, [SERVICE_OFF]: { senderAllowed: false } },
    }).start()
    client = new IoClient({
      url: simulator.url,
      subscriptionKey: () => KEY,
      backoffMs: 5,
      timeoutMs: 2000,
      attempts: 3,
    })
    channel = new IoChannel(client)
    return () => simulator.close()
  })

  test('checks the profile, then sends the message with its payment data', async ({ assert }) => {
    const outcome = await channel.send(message('io-1', ON_IO))
    assert.equal(outcome.status, 'sent')
    assert.deepEqual(
      simulator.requests.map((r) => [r.method, r.path, r.status]),
      [
        ['POST', '/api/v1/profiles', 200],
        ['POST', '/api/v1/messages', 201],
      ]
    )
    const [stored] = simulator.messages()
    assert.equal(stored.id, outcome.providerId)
    assert.equal(stored.status, 'PROCESSED')
    assert.equal(stored.subject, 'Refezione scolastica: avviso di marzo 2026')
    assert.deepEqual(stored.paymentData, {
      amount: 4520,
      notice_number: '301000000000000144',
      payee: { fiscal_code: '00229080338' },
    })
    // The due day ends at midnight in Rome: 21:59:59 UTC in summer time.
    assert.equal(stored.dueDate, '2026-04-30T21:59:59.999Z')
  })

  test('a citizen not on IO, or who turned the service off, gets nothing and is undeliverable here', async ({
    assert,
  }) => {
    const off = await channel.send(message('io-2', SERVICE_OFF))
    assert.equal(off.status, 'undeliverable')
    assert.match(off.detail!.en, /turned this service off/)
    const absent = await channel.send(message('io-3', NOT_ON_IO))
    assert.equal(absent.status, 'undeliverable')
    assert.match(absent.detail!.en, /not on App IO/)
    assert.lengthOf(simulator.messages(), 0)
    // The simulator would have taken (and rejected) a message sent without the check.
    await client.submit({ fiscalCode: SERVICE_OFF, subject: 'Oggetto di prova', markdown: MARKDOWN })
    assert.equal(simulator.messages()[0].status, 'REJECTED')
  })

  test('subject 10–120 and markdown 80–10000 are enforced before anything is sent', async ({ assert }) => {
    const short = await channel.send(message('io-4', ON_IO, { subject: 'Avviso' })).catch((e) => e)
    assert.instanceOf(short, IoMessageError)
    assert.equal(short.field, 'content.subject')
    assert.equal(short.messages.it, "l'oggetto deve avere da 10 a 120 caratteri, ne ha 6")
    const long = await channel.send(message('io-5', ON_IO, { subject: 'x'.repeat(121) })).catch((e) => e)
    assert.equal(long.field, 'content.subject')
    const body = await channel.send(message('io-6', ON_IO, { markdown: 'troppo breve' })).catch((e) => e)
    assert.equal(body.field, 'content.markdown')
    assert.equal(body.messages.en, 'the text must be 80 to 10000 characters long, it is 12')
    const huge = await channel.send(message('io-7', ON_IO, { markdown: 'x'.repeat(10001) })).catch((e) => e)
    assert.equal(huge.field, 'content.markdown')
    const amount = await channel
      .send(
        message('io-8', ON_IO, {
          payment: { amountCents: 0, noticeNumber: '301000000000000144', payeeFiscalCode: '00229080338' },
        })
      )
      .catch((e) => e)
    assert.equal(amount.field, 'content.payment_data.amount')
    assert.lengthOf(simulator.requests, 0)
  })

  test('429: waits what Retry-After asks, then sends; a lasting 429 is left to the queue with the wait asked', async ({
    assert,
  }) => {
    simulator.throttleNext(1, 1)
    const started = Date.now()
    assert.equal((await channel.send(message('io-9', ON_IO))).status, 'sent')
    assert.isAtLeast(Date.now() - started, 950)
    assert.deepEqual(
      simulator.requests.map((r) => r.status),
      [429, 200, 201]
    )
    simulator.throttleNext(3, 120)
    const error = await channel.send(message('io-10', ON_IO)).catch((e) => e)
    assert.instanceOf(error, ServiceUnavailableError)
    assert.equal(error.status, 429)
    assert.equal(error.retryAfterMs, 120_000)
    assert.lengthOf(simulator.messages(), 1)
  })

  test('a wrong key is a 401 that names the key', async ({ assert }) => {
    const wrong = new IoClient({ url: simulator.url, subscriptionKey: () => 'sbagliata' })
    const error = await wrong.profile(ON_IO).catch((e) => e)
    assert.instanceOf(error, IoError)
    assert.match(error.message, /check the IO service key/)
  })
})

test.group('App IO channel: a payload IO refuses', (group) => {
  let simulator: IoSimulator
  group.each.setup(async () => {
    simulator = await new IoSimulator({ keys: [KEY], profiles: { [ON_IO]: { senderAllowed: true } } }).start()
    return () => simulator.close()
  })

  test('a 400 from IO is a refusal (not retried), a 500 a failure the queue retries', async ({ assert }) => {
    const channel = new IoChannel(new IoClient({ url: simulator.url, subscriptionKey: () => KEY, attempts: 1 }))
    simulator.failNext(1, 400)
    const refused = await channel.send(message('io-11', ON_IO)).catch((e) => e)
    assert.instanceOf(refused, NoticeRefusedError)
    assert.equal(refused.field, 'content')
    simulator.failNext(1, 500)
    const failed = await channel.send(message('io-12', ON_IO)).catch((e) => e)
    assert.instanceOf(failed, ServiceUnavailableError)
  })
})
