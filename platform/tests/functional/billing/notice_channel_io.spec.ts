import { test } from '@japa/runner'
import Enrolment from '#models/enrolment'
import PaymentPosition from '#models/payment_position'
import { RequestContext } from '#services/infrastructure/request_context'
import { IoSimulator } from '#integrations/appio/io_simulator'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { canteenBillingWorld } from '#tests/helpers/family_billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { transactionWithJobs } from '#tests/helpers/world'

test.group('Notices: App IO chosen on the canteen form', (group) => {
  group.each.setup(() => transactionWithJobs())
  const mail = captureMailEachTest(group)

  test('a family that chose the IO app on the form gets its monthly notice in IO, not by email', async ({
    assert,
    client,
    cleanup,
  }) => {
    process.env.IO_KEY_FAMILY_TESTS = 'io-key'
    const io = await new IoSimulator({
      keys: ['io-key'],
      profiles: { VRDLCU80A01G535X: { senderAllowed: true } },
    }).start()
    cleanup(() => io.close())
    const world = await canteenBillingWorld(client, {
      notices: {
        email: { from: 'Comune di Prova <noreply@comune.example>' },
        io: { url: io.url, keyEnv: 'IO_KEY_FAMILY_TESTS' },
      },
    })
    cleanup(() => world.close())

    await world.enrolThroughForm({ ...world.sample, payment_channel: 'pagopa_io' })
    const enrolment = await RequestContext.withTenant(world.tenant.ref, () => Enrolment.query().firstOrFail())
    assert.equal(enrolment.details?.notice_channel, 'io')

    await world.bill('2026-10')
    const [position] = await RequestContext.withTenant(world.tenant.ref, () => PaymentPosition.query())
    assert.equal(position.status, 'published')
    assert.equal(position.noticeChannel, 'io')
    const messages = io.messages()
    assert.lengthOf(messages, 1)
    assert.equal(messages[0].fiscalCode, 'VRDLCU80A01G535X')
    assert.equal(messages[0].status, 'PROCESSED')
    assert.equal(messages[0].paymentData?.notice_number, position.nav)
    assert.include(messages[0].markdown, formatNoticeNumber(position.nav))
    // The application's receipt went by email; the payment notice did not.
    assert.isFalse(mail().received.some((m) => String(m.subject).startsWith('Avviso di pagamento')))
  })
})
