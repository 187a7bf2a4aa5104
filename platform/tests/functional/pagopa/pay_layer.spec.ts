import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { rm } from 'node:fs/promises'
import { DateTime } from 'luxon'
import { RequestContext } from '#services/infrastructure/request_context'
import { nextNoticeNumber } from '#integrations/pagopa/notice_sequence'
import { noticeCreditor, pagopaFor } from '#integrations/pagopa/pagopa_service'
import { renderPaymentNotice } from '#integrations/pagopa/payment_notice_pdf'
import { reconcileFlow } from '#integrations/pagopa/reconciliation'
import { noticeChannelFor, postalRoot } from '#integrations/notices/notice_channels'
import { sendNotice } from '#integrations/notices/notice_service'
import type { NoticeMessage } from '#integrations/notices/notice_channel'
import { GpdSimulator } from '#integrations/pagopa/gpd_simulator'
import { SmsSimulator } from '#integrations/sms/sms_simulator'
import { IoSimulator } from '#integrations/appio/io_simulator'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeTenant, makeUser } from '#tests/helpers/world'

const CF = 'RSSMRA85T10A562S'

/**
 * The layer as the ledger will use it, configured only through the tenant's settings: a number
 * from the sequence, a position on GPD, the notice PDF, the notices on every channel, a payment on
 * the checkout, its receipt, the reporting flow and its reconciliation.
 */
test.group('Payments and notices through the tenant’s settings', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  const mail = captureMailEachTest(group)

  test('from a notice number to a reconciled payment', async ({ client, assert, cleanup }) => {
    let clock = DateTime.now().setZone('Europe/Rome')
    const gpd = await new GpdSimulator({
      keys: [{ key: 'gpd-key', organizations: ['00229080338'] }],
      now: () => clock.toJSDate(),
    }).start()
    const sms = await new SmsSimulator({ keys: ['sms-key'] }).start()
    const io = await new IoSimulator({ keys: ['io-key'], profiles: { [CF]: { senderAllowed: true } } }).start()
    process.env.PAGOPA_KEY_LAYER = 'gpd-key'
    process.env.SMS_KEY_LAYER = 'sms-key'
    process.env.IO_KEY_LAYER = 'io-key'
    const tenant = await makeTenant()
    cleanup(async () => {
      await gpd.close()
      await sms.close()
      await io.close()
      await rm(postalRoot(tenant), { recursive: true, force: true })
    })

    const admin = await makeUser(tenant, ['tenant_admin'])
    const patch = await client
      .patch(`/api/v1/t/${tenant.slug}`)
      .json({
        settings: {
          pagopa: {
            segregationCode: '01',
            fiscalCode: '00229080338',
            cbill: 'A1B2C',
            iban: 'IT60X0542811101000000123456',
            postalAccount: '1234567890',
            baseUrl: gpd.url,
            subscriptionKeyEnv: 'PAGOPA_KEY_LAYER',
          },
          notices: {
            email: { from: 'Comune di Prova <noreply@comune.example>' },
            sms: { url: sms.url, keyEnv: 'SMS_KEY_LAYER', sender: 'ComuneProva' },
            io: { url: io.url, keyEnv: 'IO_KEY_LAYER' },
            post: { enabled: true },
          },
        },
      })
      .loginAs(admin)
    patch.assertStatus(200)
    await tenant.refresh()

    await RequestContext.withTenant(tenant.ref, async () => {
      const { settings, gateway } = pagopaFor(tenant)
      // The number is taken in the transaction that would store the position.
      const number = await db.transaction((trx) => nextNoticeNumber(trx, tenant.id, settings.segregationCode))
      assert.equal(number.nav, '301000000000000144')
      const due = clock.plus({ days: 30 }).toISODate()!
      const { position } = await gateway.createPosition({
        iupd: `${settings.fiscalCode}-refezione-2026-03-luca`,
        type: 'F',
        fiscalCode: CF,
        fullName: 'Mario Rossi',
        switchToExpired: false,
        companyName: tenant.name,
        paymentOption: [
          {
            iuv: number.iuv,
            amount: 4520,
            description: 'Refezione scolastica marzo 2026 - Luca',
            isPartialPayment: false,
            dueDate: `${due}T23:59:59`,
            transfer: [
              {
                idTransfer: '1',
                amount: 4520,
                remittanceInformation: 'Refezione scolastica marzo 2026',
                category: '9/0101002IM/',
                iban: settings.iban,
              },
            ],
          },
        ],
      })
      assert.equal(position.status, 'VALID')
      assert.equal(position.paymentOption[0].nav, number.nav)

      const pdf = await renderPaymentNotice({
        subject: 'Refezione scolastica marzo 2026 - Luca',
        creditor: noticeCreditor(tenant),
        debtor: { fiscalCode: CF, fullName: 'Mario Rossi', address: ['Via Roma 1', '29121 Piacenza (PC)'] },
        single: { nav: number.nav, amountCents: 4520, dueDate: due },
      })
      const lines = await pdfTextLines(pdf)
      assert.includeMembers(lines, [tenant.name, '3010 0000 0000 0001 44', 'A1B2C', 'BOLLETTINO POSTALE PA'])

      const notice: NoticeMessage = {
        idempotencyKey: `avviso:${position.iupd}`,
        recipient: {
          name: 'Mario Rossi',
          email: 'mario@example.it',
          phone: '+393471234567',
          fiscalCode: CF,
          address: { lines: ['Via Roma 1'], postalCode: '29121', city: 'Piacenza', province: 'PC' },
        },
        subject: 'Refezione scolastica: avviso di marzo 2026',
        text: `Comune di Prova: refezione di marzo, 45,20 euro entro il ${due}. Avviso ${number.nav}.`,
        markdown: `È disponibile l'avviso di pagamento della **refezione scolastica** di marzo 2026: 45,20 euro entro il ${due}.`,
        payment: { amountCents: 4520, noticeNumber: number.nav, payeeFiscalCode: settings.fiscalCode, dueDate: due },
        attachments: [{ filename: `avviso-${number.nav}.pdf`, content: pdf, contentType: 'application/pdf' }],
      }
      for (const name of ['email', 'sms', 'io', 'post'] as const) {
        const channel = noticeChannelFor(tenant, name)!
        const key = `${notice.idempotencyKey}:${name}`
        const first = await sendNotice(
          channel,
          { ...notice, idempotencyKey: key },
          { ref: { type: 'position', id: position.iupd } }
        )
        const again = await sendNotice(channel, { ...notice, idempotencyKey: key })
        assert.equal(first.notice.status, 'sent', `${name}: ${first.notice.lastError}`)
        assert.isFalse(again.sentNow)
      }
      assert.lengthOf(mail().received, 1)
      assert.equal(mail().received[0].attachments[0].filename, `avviso-${number.nav}.pdf`)
      assert.lengthOf(sms.messages(), 1)
      assert.equal(sms.messages()[0].from, 'ComuneProva')
      assert.lengthOf(io.messages(), 1)
      assert.equal(io.messages()[0].paymentData!.notice_number, number.nav)

      // The family pays on the checkout page.
      const paid = await fetch(`${gpd.url}/pay/${number.nav}`, {
        method: 'POST',
        body: new URLSearchParams({ psp: 'SIMPSPIT1XX' }),
        redirect: 'manual',
      })
      assert.equal(paid.status, 303)
      const receipt = await gateway.getReceipt(number.iuv)
      assert.equal(receipt!.amount, 4520)

      // Two days later the PSP's flow is published and reconciles against the ledger's transfer.
      clock = clock.plus({ days: 2, hours: 1 })
      const [ref] = await gateway.listFlows()
      const flow = await gateway.getFlow(ref)
      const result = await reconcileFlow(flow, {
        transfers: async () => [{ iuv: number.iuv, idTransfer: '1', amount: 4520, ref: position.iupd }],
      })
      assert.deepEqual(result.summary.matched, { count: 1, amount: 4520 })
      assert.isTrue(result.totals.ok)
      assert.equal((await gateway.getPosition(position.iupd))!.status, 'REPORTED')
    })
  })
})
