import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import ArrearsLetter from '#models/arrears_letter'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { ensureSchoolCatalog } from '#services/tenants/school_catalog_service'
import { pluginService } from '#services/tenants/plugin_service'
import { scheduleArrears } from '#services/billing/arrears'
import { reconcileFlows } from '#services/billing/flow_reconcile'
import { reconcileTenant } from '#services/billing/reconcile'
import { balanceOf } from '#services/billing/ledger_service'
import { parseNoticeNumber } from '#integrations/pagopa/notice_number'
import { pagopaFor } from '#integrations/pagopa/pagopa_service'
import { SmsSimulator } from '#integrations/sms/sms_simulator'
import { IoSimulator } from '#integrations/appio/io_simulator'
import { DocareaSimulator } from '#integrations/docarea/docarea_simulator'
import { pluginTestKit } from '#sdk/testing'
import { billingWorld, makeParent } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'

const DOCAREA_USER = { codEnte: 'C_G535', username: 'sportello', password: 'segreta-di-prova' }

/**
 * The canteen's month end to end, on real or simulated servers: a month of attendance → the dry run
 * → publish → positions on the GPD simulator with valid notice numbers → the notices by email (SMTP),
 * SMS (gateway simulator), App IO (IO simulator) and post (the batch) → one notice paid and read from
 * its receipt, one paid and read from the FdR flow → the unpaid ones get their reminder after X days
 * and their arrears letter, protocolled outgoing on the DOCAREA simulator.
 */
test.group('Billing: a month of the canteen, from attendance to the arrears letter', (group) => {
  group.each.setup(() => transactionWithJobs())
  const mail = captureMailEachTest(group)

  test('attendance → dry run → publish → notices on four channels → paid twice → reminders and protocolled letters', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await billingWorld({ billing: { reminderAfterDays: 10, letterAfterDays: 20, dueDays: 30 } })
    cleanup(() => world.close())
    process.env.SMS_KEY_CANTEEN_E2E = 'sms-key'
    process.env.IO_KEY_CANTEEN_E2E = 'io-key'
    process.env.DOCAREA_PASSWORD_CANTEEN_E2E = DOCAREA_USER.password
    const sms = await new SmsSimulator({ keys: ['sms-key'] }).start()
    const io = await new IoSimulator({
      keys: ['io-key'],
      profiles: { VRDLCU80A01G535X: { senderAllowed: true } },
    }).start()
    const docarea = await new DocareaSimulator({ users: [DOCAREA_USER] }).start()
    cleanup(async () => {
      await sms.close()
      await io.close()
      await docarea.close()
    })
    const { tenant } = world
    await RequestContext.asSystem('test', async () => {
      tenant.settings = {
        ...tenant.settings,
        notices: {
          email: { from: 'Comune di Prova <noreply@comune.example>' },
          sms: { url: sms.url, keyEnv: 'SMS_KEY_CANTEEN_E2E', sender: 'ComunePC' },
          io: { url: io.url, keyEnv: 'IO_KEY_CANTEEN_E2E' },
          post: { enabled: true },
        },
        protocol: {
          driver: 'docarea',
          url: docarea.url,
          codEnte: DOCAREA_USER.codEnte,
          username: DOCAREA_USER.username,
          passwordEnv: 'DOCAREA_PASSWORD_CANTEEN_E2E',
        },
      }
      await tenant.save()
    })
    await pluginService.enable(tenant, 'refezione')
    await RequestContext.withTenant(tenant.ref, () =>
      ensureSchoolCatalog([
        {
          code: 'alberoni',
          name: 'Scuola primaria Alberoni',
          order: 'primaria',
          services: ['refezione'],
          classes: [{ year: '1', section: 'A' }],
        },
      ])
    )
    const operator = await makeUser(tenant, ['operator'])
    const api = `/api/v1/t/${tenant.slug}`
    ;(
      await client
        .put(`${api}/refezione/calendar/years`)
        .json({ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2027-06-30' })
        .loginAs(operator)
    ).assertStatus(200)

    // Four families, one per channel they chose on the form; meals at 5.00 (4.00 for the last).
    const families = [
      { channel: 'email', fiscalCode: 'RSSMRA85T10A562S', fee: '5.00' },
      { channel: 'sms', fiscalCode: 'BNCNNA82B41F205K', fee: '5.00' },
      { channel: 'io', fiscalCode: 'VRDLCU80A01G535X', fee: '5.00' },
      { channel: 'post', fiscalCode: 'NREPLA79C12H501Z', fee: '4.00' },
    ]
    const children: Array<
      (typeof families)[number] & { parent: Awaited<ReturnType<typeof makeParent>>; enrolment: { id: number } }
    > = []
    for (const [i, f] of families.entries()) {
      const parent = await makeParent(tenant, f.fiscalCode)
      const enrolment = await pluginTestKit.enrolment(tenant, 'refezione', {
        schoolYear: '2026/2027',
        applicantUserId: parent.id,
        child: { firstName: `Bimbo${i + 1}`, lastName: 'Esposito' },
        schoolId: 'alberoni',
        section: 'A',
        details: {
          school_order: 'primaria',
          class_year: '1',
          notice_channel: f.channel,
          notice_phone: '3471234567',
          notice_address: { lines: ['Via Roma 1'], postalCode: '29121', city: 'Piacenza', province: 'PC' },
        },
        tariff: {
          evaluation: {
            ruleset: 'refezione.tariffa',
            version: 1,
            at: '2026-09-01',
            result: { amount: f.fee },
            trace: [],
          },
          facts: {},
        },
      })
      children.push({ ...f, parent, enrolment })
    }

    // October's attendance from paper: the first child absent on three days; those days closed.
    const absent = ['2026-10-05', '2026-10-06', '2026-10-07']
    const marks = absent.map((day) => ({
      id: `paper-${day}`,
      day,
      school_code: 'alberoni',
      class_year: '1',
      section: 'A',
      enrolment_id: children[0].enrolment.id,
      status: 'absent',
      marked_at: `${day}T09:05:00+02:00`,
    }))
    const marked = await client
      .post(`${api}/refezione/attendance/marks`)
      .json({ source: 'paper', marks })
      .loginAs(operator)
    marked.assertStatus(200)
    for (const day of absent) {
      ;(
        await client
          .post(`${api}/refezione/attendance/close`)
          .json({ source: 'paper', day, school_code: 'alberoni', class_year: '1', section: 'A' })
          .loginAs(operator)
      ).assertStatus(200)
    }

    // The dry run: nothing written, the totals to look at (22 canteen days in October 2026).
    const preview = await client
      .post(`${api}/billing/runs/preview`)
      .json({ service: 'refezione', period: '2026-10' })
      .loginAs(operator)
    preview.assertStatus(200)
    assert.include(preview.body().preview, { lines: 4, payers: 4, total_cents: 19 * 500 + 22 * 500 * 2 + 22 * 400 })
    assert.deepEqual(
      preview
        .body()
        .preview.by_fee.map((g: { key: string; children: number; quantity: string }) => [
          g.key,
          g.children,
          g.quantity,
        ]),
      [
        ['4.00', 1, '22'],
        ['5.00', 3, '63'],
      ]
    )
    assert.deepEqual(preview.body().preview.by_school[0], {
      key: 'alberoni',
      children: 4,
      quantity: '85',
      total_cents: 40300,
      total: '403.00',
    })
    assert.lengthOf(preview.body().preview.anomalies, 0)
    assert.equal(
      (await RequestContext.withTenant(tenant.ref, () => db.from('ledger_entries').where('tenant_id', tenant.id)))
        .length,
      0
    )

    // Publish.
    ;(
      await client.post(`${api}/billing/runs`).json({ service: 'refezione', period: '2026-10' }).loginAs(operator)
    ).assertStatus(202)
    await jobQueue().drained()
    const positions = await RequestContext.withTenant(tenant.ref, () =>
      PaymentPosition.query().orderBy('payer_user_id')
    )
    assert.lengthOf(positions, 4)
    const byChannel = new Map(children.map((c, i) => [c.channel, { ...c, position: positions[i] }]))
    assert.deepEqual(
      positions.map((p) => p.amountCents),
      [9500, 11000, 11000, 8800]
    )
    const { gateway } = pagopaFor(tenant)
    for (const p of positions) {
      const parsed = parseNoticeNumber(p.nav)
      assert.isNotNull(parsed, `${p.nav} is a valid notice number`)
      assert.equal(p.nav.slice(0, 3), '301')
      const onGpd = await gateway.getPosition(p.iupd)
      assert.equal(onGpd?.status, 'VALID')
      assert.equal(onGpd?.paymentOption[0].iuv, p.iuv)
      assert.equal(p.status, 'published')
    }
    assert.deepEqual(
      positions.map((p) => p.noticeChannel),
      ['email', 'sms', 'io', 'post']
    )
    // Captured by their servers: the email by SMTP, the SMS by the gateway, the IO message, the post batch.
    assert.lengthOf(mail().received, 1)
    assert.equal((mail().received[0].to as { text: string }).text, byChannel.get('email')!.parent.email)
    assert.lengthOf(sms.messages(), 1)
    assert.include(sms.messages()[0].text, byChannel.get('sms')!.position.nav.slice(0, 4))
    assert.lengthOf(io.messages(), 1)
    const posted = await RequestContext.withTenant(tenant.ref, () =>
      db.from('notices').where('tenant_id', tenant.id).where('channel', 'post').where('status', 'sent')
    )
    assert.lengthOf(posted, 1)

    // One paid on the simulator and read from its receipt; one paid and known only from the FdR flow.
    const pay = (nav: string) =>
      fetch(`${world.gpd.url}/sim/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nav }),
      })
    assert.equal((await pay(byChannel.get('email')!.position.nav)).status, 200)
    await RequestContext.withTenant(tenant.ref, () => reconcileTenant(tenant))
    assert.equal((await pay(byChannel.get('sms')!.position.nav)).status, 200)
    const today = world.clock.now.setZone('Europe/Rome').toISODate()
    await fetch(`${world.gpd.url}/sim/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ upTo: today }),
    })
    const flows = await RequestContext.withTenant(tenant.ref, () => reconcileFlows(tenant))
    assert.include(flows, { reconciled: 1, lines: 2, anomalies: 0 })
    await RequestContext.withTenant(tenant.ref, async () => {
      for (const channel of ['email', 'sms']) {
        const p = await PaymentPosition.findOrFail(byChannel.get(channel)!.position.id)
        assert.equal(p.status, 'paid', channel)
        assert.equal((await balanceOf({ payerUserId: p.payerUserId })).balanceCents, 0)
      }
      const viaFlow = await db
        .from('payment_position_steps')
        .where('position_id', byChannel.get('sms')!.position.id)
        .where('step', 'paid')
        .first()
      assert.property(JSON.parse(viaFlow.details), 'flow_id')
    })

    // X days after the due date the unpaid ones get their reminder, by the channel of their notice.
    const due = DateTime.fromISO(positions[0].dueDate)
    await RequestContext.withTenant(tenant.ref, async () => {
      assert.deepEqual(await scheduleArrears(tenant, due.plus({ days: 11 })), { reminders: 2, letters: 0 })
    })
    await jobQueue().drained()
    assert.lengthOf(io.messages(), 2)
    assert.lengthOf(sms.messages(), 1)

    // Then the arrears letters, protocolled outgoing on DOCAREA before they go, the number on the letter.
    await RequestContext.withTenant(tenant.ref, async () => {
      assert.deepEqual(await scheduleArrears(tenant, due.plus({ days: 31 })), { reminders: 0, letters: 2 })
    })
    await jobQueue().drained()
    const letters = await RequestContext.withTenant(tenant.ref, () => ArrearsLetter.query().orderBy('position_id'))
    assert.deepEqual(
      letters.map((l) => l.positionId),
      [byChannel.get('io')!.position.id, byChannel.get('post')!.position.id]
    )
    const registered = docarea.documents().filter((d) => d.registration?.direction === 'U')
    assert.lengthOf(registered, 2)
    assert.sameMembers(
      letters.map((l) => l.protocolNumber),
      registered.map((d) => d.registration!.number)
    )
    assert.deepEqual(registered.map((d) => d.registration!.correspondent.fiscalCode).sort(), [
      'NREPLA79C12H501Z',
      'VRDLCU80A01G535X',
    ])
    // The ente runs the postal batch: both letters went by registered post.
    assert.deepEqual(
      letters.map((l) => l.channel),
      ['post', 'post']
    )
  })
})
