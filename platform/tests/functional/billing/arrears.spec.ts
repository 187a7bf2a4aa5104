import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { balanceOf } from '#services/billing/ledger_service'
import { scheduleArrears, sendReminder } from '#services/billing/arrears'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'
import ArrearsLetter from '#models/arrears_letter'

/**
 * The whole flow on real servers: enrolments with fees → the run → positions on the GPD simulator →
 * notices by SMTP → one paid on the simulator's checkout → reconciled (balance zero) → the unpaid one
 * gets its reminder after due date + N days, then its arrears letter M days later; the paid one and a
 * cancelled one get nothing.
 */
test.group('Billing: from enrolments to the arrears letter', (group) => {
  group.each.setup(() => transactionWithJobs())
  const mail = captureMailEachTest(group)

  test('paid, unpaid and cancelled positions through reminders and letters', async ({ assert, cleanup, client }) => {
    const world = await billingWorld({ billing: { reminderAfterDays: 10, letterAfterDays: 20, dueDays: 30 } })
    cleanup(() => world.close())
    const paying = await world.enrol(null, '45.00')
    const late = await world.enrol(null, '38.20')
    const withdrawn = await world.enrol(null, '20.00')
    await RequestContext.withTenant(world.tenant.ref, () =>
      startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
    )
    await jobQueue().drained()
    assert.lengthOf(mail().received, 3)
    const [paid, unpaid, cancelled] = await RequestContext.withTenant(world.tenant.ref, () =>
      PaymentPosition.query().orderBy('id')
    )
    const due = DateTime.fromISO(unpaid.dueDate)

    // Paid on the simulator's checkout; nobody reconciles it before the arrears job does.
    const pay = await fetch(`${world.gpd.url}/sim/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nav: paid.nav }),
    })
    assert.equal(pay.status, 200)
    await RequestContext.withTenant(world.tenant.ref, async () => {
      cancelled.status = 'cancelled'
      await cancelled.save()
    })

    await RequestContext.withTenant(world.tenant.ref, async () => {
      // On the due date + 10 days nothing is due yet; the day after, the reminder.
      assert.deepEqual(await scheduleArrears(world.tenant, due.plus({ days: 10 })), { reminders: 0, letters: 0 })
      assert.deepEqual(await scheduleArrears(world.tenant, due.plus({ days: 11 })), { reminders: 1, letters: 0 })
      assert.deepEqual(await scheduleArrears(world.tenant, due.plus({ days: 12 })), { reminders: 0, letters: 0 })
      assert.equal((await PaymentPosition.findOrFail(paid.id)).status, 'paid')
      assert.equal((await balanceOf({ payerUserId: paying.payer.id })).balanceCents, 0)
    })
    await jobQueue().drained()
    const reminders = mail().received.filter((m) => m.subject?.startsWith('Sollecito di pagamento'))
    assert.lengthOf(reminders, 1)
    assert.equal((reminders[0].to as { text: string }).text, late.payer.email)
    assert.include(reminders[0].text!, formatNoticeNumber(unpaid.nav))
    assert.include(reminders[0].text!, '38,20')

    // The letter comes letterAfterDays after the reminder's day: due date + 10 + 20 days, the day after.
    await RequestContext.withTenant(world.tenant.ref, async () => {
      assert.deepEqual(await scheduleArrears(world.tenant, due.plus({ days: 30 })), { reminders: 0, letters: 0 })
      assert.deepEqual(await scheduleArrears(world.tenant, due.plus({ days: 31 })), { reminders: 0, letters: 1 })
      assert.deepEqual(await scheduleArrears(world.tenant, due.plus({ days: 32 })), { reminders: 0, letters: 0 })
    })
    await jobQueue().drained()
    const letters = mail().received.filter((m) => m.subject?.startsWith('Sollecito formale di pagamento'))
    assert.lengthOf(letters, 1)
    assert.equal((letters[0].to as { text: string }).text, late.payer.email)
    assert.equal(letters[0].attachments[0].filename, `sollecito-${unpaid.nav}.pdf`)
    const lines = await pdfTextLines(letters[0].attachments[0].content)
    assert.includeMembers(lines, [world.tenant.name, 'Sollecito formale di pagamento', formatNoticeNumber(unpaid.nav)])
    assert.isTrue(lines.some((l) => l.includes('38,20')))

    // Registered outgoing in the protocol before it went, its number printed on the letter and kept.
    const letter = await RequestContext.withTenant(world.tenant.ref, () =>
      ArrearsLetter.query().where('position_id', unpaid.id).firstOrFail()
    )
    assert.match(letter.protocolLabel, /^\d{4}\/\d{7}$/)
    assert.isTrue(lines.some((l) => l.includes(`n. ${letter.protocolLabel}`)))
    assert.include(letters[0].text!, letter.protocolLabel)
    assert.deepEqual(letter.positions, [{ id: unpaid.id, owed_cents: 3820 }])
    assert.equal(letter.channel, 'email')
    const entry = await db
      .from('protocol_entries')
      .where('tenant_id', world.tenant.id)
      .where('number', letter.protocolNumber)
      .first()
    assert.equal(entry.direction, 'U')

    // The month's report of the letters sent: the parent's codice fiscale, the position, the amount owed.
    const operator = await makeUser(world.tenant, ['operator'])
    const report = await client
      .get(`/api/v1/t/${world.tenant.slug}/billing/letters?month=${letter.sentMonth}`)
      .loginAs(operator)
    report.assertStatus(200)
    assert.lengthOf(report.body().rows, 1)
    assert.deepInclude(report.body().rows[0], {
      protocol: letter.protocolLabel,
      payer_fiscal_code: late.payer.fiscalCode,
      position: unpaid.iupd,
      owed: '38.20',
      children: 'Bimbo2 Rossi',
    })
    const csv = await client
      .get(`/api/v1/t/${world.tenant.slug}/billing/letters?month=${letter.sentMonth}&format=csv`)
      .loginAs(operator)
    csv.assertStatus(200)
    assert.include(csv.text(), unpaid.iupd)
    const wrong = await client.get(`/api/v1/t/${world.tenant.slug}/billing/letters?month=2026-13`).loginAs(operator)
    wrong.assertStatus(422)
    const citizen = await client.get(`/api/v1/t/${world.tenant.slug}/billing/letters?month=2026-11`).loginAs(late.payer)
    citizen.assertStatus(403)

    // Each step was recorded once; the paid and the cancelled positions have none of them.
    const steps = await db
      .from('payment_position_steps')
      .whereIn('position_id', [paid.id, unpaid.id, cancelled.id])
      .whereIn('step', ['reminder', 'letter'])
      .orderBy('id')
    assert.deepEqual(
      steps.map((s) => [s.position_id, s.step]),
      [
        [unpaid.id, 'reminder'],
        [unpaid.id, 'letter'],
      ]
    )
    assert.lengthOf(mail().received, 5)
    void withdrawn
  })

  test('a reminder whose position was paid meanwhile is not sent', async ({ assert, cleanup }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    await world.enrol(null, '45.00')
    await RequestContext.withTenant(world.tenant.ref, () =>
      startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
    )
    await jobQueue().drained()
    const sent = mail().received.length
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const position = await PaymentPosition.query().firstOrFail()
      position.status = 'paid'
      await position.save()
      await sendReminder(position.id)
      const skipped = await db
        .from('audit_logs')
        .where('action', 'reminder_skipped')
        .where('entity_id', String(position.id))
      assert.lengthOf(skipped, 1)
    })
    assert.lengthOf(mail().received, sent)
  })
})
