import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Tenant from '#models/tenant'
import Notice from '#models/notice'
import { RequestContext } from '#services/infrastructure/request_context'
import { sendNotice, NoticeKeyConflictError, noticesAbout } from '#integrations/notices/notice_service'
import {
  NoticeRefusedError,
  type NoticeChannel,
  type NoticeMessage,
  type NoticeOutcome,
} from '#integrations/notices/notice_channel'
import { EmailChannel } from '#integrations/notices/email_channel'
import { SmsChannel, SmsGatewayClient } from '#integrations/sms/sms_gateway_client'
import { SmsSimulator } from '#integrations/sms/sms_simulator'
import { ServiceUnavailableError } from '#integrations/http/http_call'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeTenant } from '#tests/helpers/world'

/** A channel that records what it was asked to send and answers as told. */
class FakeChannel implements NoticeChannel {
  readonly name: 'sms' | 'io'
  sent: NoticeMessage[] = []
  statusSeen: string[] = []
  answer: () => Promise<NoticeOutcome> = async () => ({ status: 'sent', providerId: `p-${this.sent.length}` })

  constructor(
    readonly idempotentProvider: boolean,
    name: 'sms' | 'io' = 'io'
  ) {
    this.name = name
  }

  async send(notice: NoticeMessage) {
    // What the notices table says while the provider is being called.
    const row = await Notice.query().where('idempotency_key', notice.idempotencyKey).firstOrFail()
    this.statusSeen.push(row.status)
    this.sent.push(notice)
    return this.answer()
  }
}

function message(key: string): NoticeMessage {
  return {
    idempotencyKey: key,
    recipient: {
      name: 'Mario Rossi',
      fiscalCode: 'RSSMRA85T10A562S',
      phone: '+393471234567',
      email: 'mario@example.it',
    },
    subject: 'Avviso di pagamento refezione marzo 2026',
    text: 'Avviso di pagamento: 45,20 euro entro il 30/04/2026.',
  }
}

test.group('Notices: recorded once, sent once', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the notice is recorded before the provider is called, then its outcome', async ({ assert }) => {
    const tenant = await makeTenant()
    const channel = new FakeChannel(false)
    const result = await RequestContext.withTenant(tenant.ref, () =>
      sendNotice(channel, message('avviso:1'), { ref: { type: 'position', id: 'iupd-1' } })
    )
    assert.deepEqual(channel.statusSeen, ['sending'])
    assert.isTrue(result.sentNow)
    assert.include(result.notice.$attributes, {
      status: 'sent',
      channel: 'io',
      providerId: 'p-1',
      attempts: 1,
      recipient: 'RSSMRA85T10A562S',
      refType: 'position',
      refId: 'iupd-1',
    })
    assert.isNotNull(result.notice.sentAt)
    // The fiscal code and the subject are not readable in the table.
    const raw = await db.from('notices').where('id', result.notice.id).firstOrFail()
    assert.notInclude(raw.recipient, 'RSSMRA85T10A562S')
    assert.notInclude(raw.subject, 'refezione')
    const audit = await db
      .from('audit_logs')
      .where({ entity: 'notices', entity_id: String(result.notice.id) })
      .orderBy('id')
    assert.deepEqual(
      audit.map((a) => a.action),
      ['create', 'update', 'update']
    )
    const listed = await RequestContext.withTenant(tenant.ref, () => noticesAbout({ type: 'position', id: 'iupd-1' }))
    assert.lengthOf(listed, 1)
  })

  test('the same key again is not sent again, whatever the outcome was', async ({ assert }) => {
    const tenant = await makeTenant()
    await RequestContext.withTenant(tenant.ref, async () => {
      const channel = new FakeChannel(false)
      await sendNotice(channel, message('k-sent'))
      const again = await sendNotice(channel, message('k-sent'))
      assert.isFalse(again.sentNow)
      assert.equal(again.notice.status, 'sent')

      channel.answer = async () => ({
        status: 'undeliverable',
        providerId: null,
        detail: { it: 'non su IO', en: 'not on IO' },
      })
      await sendNotice(channel, message('k-undeliverable'))
      await sendNotice(channel, message('k-undeliverable'))

      channel.answer = async () => {
        throw new NoticeRefusedError('io', 'content.subject', { it: 'oggetto troppo corto', en: 'subject too short' })
      }
      const refused = await sendNotice(channel, message('k-refused'))
      assert.equal(refused.notice.status, 'refused')
      assert.equal(refused.notice.lastError, 'oggetto troppo corto')
      await sendNotice(channel, message('k-refused'))
      assert.lengthOf(channel.sent, 3)
    })
  })

  test('a failed send is recorded, rethrown for the queue, and retried by the next call', async ({ assert }) => {
    const tenant = await makeTenant()
    await RequestContext.withTenant(tenant.ref, async () => {
      const channel = new FakeChannel(false)
      channel.answer = async () => {
        throw new ServiceUnavailableError('App IO submitMessage', 'HTTP 503', 503)
      }
      await assert.rejects(() => sendNotice(channel, message('k-retry')), /service unavailable/)
      const failed = await Notice.findByOrFail('idempotency_key', 'k-retry')
      assert.equal(failed.status, 'failed')
      assert.match(failed.lastError!, /HTTP 503/)
      channel.answer = async () => ({ status: 'sent', providerId: 'ok' })
      const retried = await sendNotice(channel, message('k-retry'))
      assert.isTrue(retried.sentNow)
      assert.equal(retried.notice.attempts, 2)
    })
  })

  test('one key is one channel', async ({ assert }) => {
    const tenant = await makeTenant()
    await RequestContext.withTenant(tenant.ref, async () => {
      await sendNotice(new FakeChannel(false, 'io'), message('k-channel'))
      await assert.rejects(
        () => sendNotice(new FakeChannel(false, 'sms'), message('k-channel')),
        NoticeKeyConflictError as never
      )
    })
  })

  test('the crash window: a send left in progress past its lease is resent only where the provider keeps our key', async ({
    assert,
  }) => {
    const tenant = await makeTenant()
    await RequestContext.withTenant(tenant.ref, async () => {
      // A sender that stopped after claiming: the row says "sending" since 20 minutes.
      const stale = async (key: string, channel: 'io' | 'sms') => {
        const notice = await Notice.create({
          idempotencyKey: key,
          channel,
          status: 'sending',
          recipient: 'x',
          subject: 's',
          attempts: 1,
          lastAttemptAt: DateTime.now().minus({ minutes: 20 }),
        })
        return notice
      }
      await stale('k-io-stale', 'io')
      const io = new FakeChannel(false, 'io')
      const uncertain = await sendNotice(io, message('k-io-stale'))
      assert.equal(uncertain.notice.status, 'uncertain')
      assert.lengthOf(io.sent, 0)
      await sendNotice(io, message('k-io-stale'))
      assert.lengthOf(io.sent, 0)

      await stale('k-sms-stale', 'sms')
      const sms = new FakeChannel(true, 'sms')
      const resent = await sendNotice(sms, message('k-sms-stale'))
      assert.equal(resent.notice.status, 'sent')
      assert.lengthOf(sms.sent, 1)

      // Within the lease nobody touches it.
      const fresh = await Notice.create({
        idempotencyKey: 'k-fresh',
        channel: 'sms',
        status: 'sending',
        recipient: 'x',
        subject: 's',
        attempts: 1,
        lastAttemptAt: DateTime.now(),
      })
      const waiting = await sendNotice(sms, message('k-fresh'))
      assert.equal(waiting.notice.status, 'sending')
      assert.equal(waiting.notice.id, fresh.id)
      assert.lengthOf(sms.sent, 1)
    })
  })

  test('a notice needs a tenant and a key', async ({ assert }) => {
    await assert.rejects(() => sendNotice(new FakeChannel(false), message('x')), /needs a tenant/)
    const tenant = await makeTenant()
    await RequestContext.withTenant(tenant.ref, async () => {
      await assert.rejects(() => sendNotice(new FakeChannel(false), message('')), /idempotency key/)
    })
  })
})

test.group('Notices: by email through the SMTP mailer', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  const mail = captureMailEachTest(group)

  test('sent once, in the tenant’s name, with the PDF attached', async ({ assert }) => {
    const tenant = await makeTenant()
    const channel = new EmailChannel({ from: 'Comune di Prova <noreply@comune.example>' })
    const pdf = new TextEncoder().encode('%PDF-1.4 avviso\n%%EOF\n')
    const withPdf = {
      ...message('mail-1'),
      attachments: [{ filename: 'avviso.pdf', content: pdf, contentType: 'application/pdf' }],
    }
    await RequestContext.withTenant(tenant.ref, async () => {
      await sendNotice(channel, withPdf)
      await sendNotice(channel, withPdf)
    })
    const received = mail().received
    assert.lengthOf(received, 1)
    assert.equal(received[0].subject, 'Avviso di pagamento refezione marzo 2026')
    assert.equal(received[0].from?.text, '"Comune di Prova" <noreply@comune.example>')
    assert.equal(received[0].attachments[0].filename, 'avviso.pdf')
    const notice = await RequestContext.withTenant(tenant.ref, () => Notice.findByOrFail('idempotency_key', 'mail-1'))
    assert.equal(notice.providerId, received[0].messageId)
    const none = await RequestContext.withTenant(tenant.ref, () =>
      sendNotice(channel, { ...message('mail-2'), recipient: { name: 'X', email: null } })
    )
    assert.equal(none.notice.status, 'undeliverable')
  })
})

test.group('Notices: concurrent senders of one key', () => {
  test('ten senders at once: one row, one SMS at the gateway', async ({ assert, cleanup }) => {
    const tenant = await RequestContext.asSystem('test', () =>
      Tenant.create({
        slug: `notices-${process.pid}-${Date.now()}`,
        name: 'Comune',
        fiscalCode: '00000000000',
        settings: {},
      })
    )
    const simulator = await new SmsSimulator({ keys: ['k'] }).start()
    cleanup(async () => {
      await simulator.close()
      await db.from('audit_logs').where('tenant_id', tenant.id).delete()
      await db.from('notices').where('tenant_id', tenant.id).delete()
      await db.from('tenants').where('id', tenant.id).delete()
    })
    const channel = new SmsChannel(new SmsGatewayClient({ url: simulator.url, apiKey: () => 'k', sender: 'ComunePC' }))
    const results = await RequestContext.withTenant(tenant.ref, () =>
      Promise.all(Array.from({ length: 10 }, () => sendNotice(channel, message('sms-conc'))))
    )
    assert.equal(results.filter((r) => r.sentNow).length, 1)
    assert.lengthOf(simulator.messages(), 1)
    const rows = await db.from('notices').where('tenant_id', tenant.id)
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].status, 'sent')
  })

  test('a sender that fails after the gateway took the SMS: the retry delivers nothing new', async ({
    assert,
    cleanup,
  }) => {
    const tenant = await makeTenant()
    const simulator = await new SmsSimulator({ keys: ['k'] }).start()
    cleanup(() => simulator.close())
    const real = new SmsChannel(new SmsGatewayClient({ url: simulator.url, apiKey: () => 'k', sender: 'ComunePC' }))
    // The provider takes the message, then the process "dies" before the outcome is written.
    const dying: NoticeChannel = {
      name: 'sms',
      idempotentProvider: true,
      send: async (m) => {
        await real.send(m)
        throw new Error('process killed')
      },
    }
    await RequestContext.withTenant(tenant.ref, async () => {
      await assert.rejects(() => sendNotice(dying, message('sms-crash')), /process killed/)
      const again = await sendNotice(real, message('sms-crash'))
      assert.equal(again.notice.status, 'sent')
    })
    assert.lengthOf(simulator.messages(), 1)
  }).setup(() => testUtils.db().withGlobalTransaction())
})
