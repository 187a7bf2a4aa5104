import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { TENANT_LOCKS } from '#services/infrastructure/tenant_lock'
import PaymentPosition from '#models/payment_position'
import Injunction from '#models/injunction'
import Submission from '#models/submission'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { scheduleArrears } from '#services/billing/arrears'
import { injunctionCandidates, issueInjunctions } from '#services/billing/injunctions'
import { SPORTELLO_RUOLO_V1, parseLine } from '#services/billing/fixed_width'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'
import { randomBytes } from 'node:crypto'
import { DataCipher, currentDataCipher, setDataCipher } from '#services/infrastructure/data_cipher'
import { reencryptAll } from '#services/infrastructure/data_reencryption'

/**
 * After the arrears letter: injunctions for the payers still unpaid (protocolled outgoing, sent,
 * recorded), then the coercive-collection record of the injunctions still unpaid, read back field
 * by field. On the real simulators: GPD (payments), DOCAREA (protocol), SMTP.
 */
test.group('Billing: injunctions and the coercive-collection record', (group) => {
  group.each.setup(() => transactionWithJobs())
  const mail = captureMailEachTest(group)

  test('unpaid after the letter → injunction; still unpaid after it → the record; nothing twice', async ({
    assert,
    cleanup,
    client,
  }) => {
    const world = await billingWorld({ billing: { reminderAfterDays: 10, letterAfterDays: 20, dueDays: 30 } })
    cleanup(() => world.close())
    const late = await world.enrol(null, '38.20')
    const payingAfterLetter = await world.enrol(null, '45.00')
    const payingAfterInjunction = await world.enrol(null, '20.00')
    await RequestContext.withTenant(world.tenant.ref, () =>
      startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
    )
    await jobQueue().drained()
    const [lateP, afterLetterP, afterInjunctionP] = await RequestContext.withTenant(world.tenant.ref, () =>
      PaymentPosition.query().orderBy('id')
    )
    const due = DateTime.fromISO(lateP.dueDate)
    await RequestContext.withTenant(world.tenant.ref, async () => {
      await scheduleArrears(world.tenant, due.plus({ days: 11 }))
      await jobQueue().drained()
      assert.deepEqual(await scheduleArrears(world.tenant, due.plus({ days: 31 })), { reminders: 0, letters: 3 })
    })
    await jobQueue().drained()
    const pay = (nav: string) =>
      fetch(`${world.gpd.url}/sim/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nav }),
      })
    // Paid on the simulator after the letter went; nobody has reconciled it yet.
    assert.equal((await pay(afterLetterP.nav)).status, 200)

    // The letters were protocolled today: with 30 days after them nobody is due yet.
    await RequestContext.withTenant(world.tenant.ref, async () => {
      assert.lengthOf((await injunctionCandidates(world.tenant, { afterDays: 30 })).candidates, 0)
      const inMonth = DateTime.now().plus({ days: 31 })
      assert.lengthOf((await injunctionCandidates(world.tenant, { afterDays: 30, now: inMonth })).candidates, 3)
    })

    const operator = await makeUser(world.tenant, ['operator'])
    const base = `/api/v1/t/${world.tenant.slug}/billing`
    // Issuing reconciles first: the position paid after the letter is not demanded.
    const issued = await client.post(`${base}/injunctions`).json({ after_days: 0 }).loginAs(operator)
    issued.assertStatus(201)
    assert.equal(issued.body().issued, 2)
    const byPayer = new Map<number, any>(issued.body().injunctions.map((i: any) => [i.payer_user_id, i]))
    assert.isFalse(byPayer.has(payingAfterLetter.payer.id))
    const lateInjunction = byPayer.get(late.payer.id)
    assert.equal(lateInjunction.owed_cents, 3820)
    assert.deepEqual(
      lateInjunction.positions.map((p: any) => [p.id, p.owed_cents]),
      [[lateP.id, 3820]]
    )
    assert.match(lateInjunction.number, new RegExp(`^${DateTime.now().year}/\\d{6}$`))
    await jobQueue().drained()

    // Protocolled outgoing, its number printed on the PDF sent by email.
    const rows = await RequestContext.withTenant(world.tenant.ref, () => Injunction.query().orderBy('id'))
    assert.deepEqual(
      rows.map((r) => r.status),
      ['issued', 'issued']
    )
    const lateRow = rows.find((r) => r.payerUserId === late.payer.id)!
    assert.match(lateRow.protocolLabel!, /^\d{4}\/\d{7}$/)
    const entry = await db
      .from('protocol_entries')
      .where('tenant_id', world.tenant.id)
      .where('number', lateRow.protocolNumber!)
      .first()
    assert.equal(entry.direction, 'U')
    const sent = mail().received.filter((m) => m.subject?.startsWith('Ingiunzione di pagamento'))
    assert.lengthOf(sent, 2)
    const toLate = sent.find((m) => (m.to as { text: string }).text === late.payer.email)!
    const lines = await pdfTextLines(toLate.attachments[0].content)
    assert.includeMembers(lines, ['Ingiunzione di pagamento', formatNoticeNumber(lateP.nav)])
    assert.isTrue(lines.some((l) => l.includes(`n. ${lateRow.protocolLabel}`)))
    assert.isTrue(lines.some((l) => l.includes('38,20')))
    const audit = await db
      .from('audit_logs')
      .where('entity', 'injunctions')
      .where('entity_id', String(lateRow.id))
      .orderBy('id')
    assert.deepEqual(
      audit.map((a) => a.action),
      ['create', 'update']
    )
    assert.equal(audit[0].actor_user_id, operator.id)

    // Issuing again issues nothing: each position is in one injunction at most.
    const again = await client.post(`${base}/injunctions`).json({ after_days: 0 }).loginAs(operator)
    again.assertStatus(200)
    assert.equal(again.body().issued, 0)
    await RequestContext.withTenant(world.tenant.ref, async () => {
      assert.deepEqual((await issueInjunctions(world.tenant, { afterDays: 0, userId: null })).issued, [])
    })
    const listed = await client.get(`${base}/injunctions`).loginAs(operator)
    listed.assertStatus(200)
    assert.lengthOf(listed.body().injunctions, 2)
    const pdf = await client.get(`${base}/injunctions/${lateRow.id}/pdf`).loginAs(operator)
    pdf.assertStatus(200)
    assert.equal(pdf.header('content-type'), 'application/pdf')

    // One injunction is paid (the notice that replaced its positions) before the record: only the
    // other goes to coercive collection. Its old notice was invalidated on pagoPA.
    assert.equal((await pay(afterInjunctionP.nav)).status, 409)
    const paidInjunction = await RequestContext.withTenant(world.tenant.ref, () =>
      Injunction.query().where('payer_user_id', payingAfterInjunction.payer.id).firstOrFail()
    )
    const replacing = await RequestContext.withTenant(world.tenant.ref, () =>
      PaymentPosition.findOrFail(paidInjunction.positionId!)
    )
    assert.equal((await pay(replacing.nav)).status, 200)
    // The debtor's residence, as the paying parent gave it in the application (encrypted at rest).
    await RequestContext.asSystem('test', () =>
      RequestContext.withTenant(world.tenant.ref, async () => {
        const submission = await Submission.findOrFail(late.enrolment.submissionId)
        submission.data = {
          payer: {
            residence: {
              street: 'Via Giuseppe Garibaldi',
              house_number: '12/B',
              postal_code: '29121',
              municipality: 'Piacenza',
              province: 'PC',
            },
          },
        }
        await submission.save()
      })
    )
    const stored = await db.from('submissions').where('id', late.enrolment.submissionId).first()
    assert.notInclude(String(stored.data), 'Garibaldi', 'the residence is encrypted at rest')
    const locks: unknown[] = []
    const listener = (query: { sql: string; bindings?: unknown[] }) => {
      if (query.sql.includes('pg_advisory_xact_lock')) locks.push(query.bindings?.[0])
    }
    const knex = db.connection().getWriteClient()
    knex.on('query', listener)
    const made = await client.post(`${base}/collection-records`).json({ after_days: 0 }).loginAs(operator)
    knex.off('query', listener)
    made.assertStatus(201)
    // On PostgreSQL the record is made under its tenant's lock: two records started at once would
    // take the same injunctions and the same number (tenant_lock.ts). SQLite has no such lock to take.
    assert.equal(
      locks.filter((key) => key === TENANT_LOCKS.collectionRecord).length,
      db.connection().dialect.name === 'postgres' ? 1 : 0
    )
    assert.deepInclude(made.body().record, {
      number: 1,
      layout: 'SPORTELLO-RUOLO-V1',
      injunctions: 1,
      total_cents: 3820,
    })
    const paidOne = await RequestContext.withTenant(world.tenant.ref, () =>
      Injunction.query().where('payer_user_id', payingAfterInjunction.payer.id).firstOrFail()
    )
    assert.equal(paidOne.status, 'paid')
    assert.isNull(paidOne.collectionRecordId)

    // The file: three lines of 250 characters, CR LF, every field where the layout puts it.
    const file = await client.get(`${base}/collection-records/${made.body().record.id}/file`).loginAs(operator)
    file.assertStatus(200)
    const text = file.text()
    assert.isTrue(text.endsWith('\r\n'))
    const records = text.split('\r\n').slice(0, -1)
    assert.lengthOf(records, 3)
    for (const line of records) {
      assert.lengthOf(line, 250)
      assert.match(line, /^[\x20-\x7e]+$/)
    }
    const today = DateTime.now().setZone('Europe/Rome').toFormat('yyyyMMdd')
    assert.deepEqual(parseLine(SPORTELLO_RUOLO_V1.header, records[0]), {
      record_type: '0',
      layout: 'SPORTELLO-RUOLO-V1',
      ente_fiscal_code: world.tenant.fiscalCode,
      ente_name: world.tenant.name.toUpperCase(),
      supply_number: '000001',
      supply_date: today,
      filler: '',
    })
    assert.deepEqual(parseLine(SPORTELLO_RUOLO_V1.detail, records[1]), {
      record_type: '1',
      sequence: '0000001',
      debtor_fiscal_code: late.payer.fiscalCode!,
      debtor_name: late.payer.fullName!.toUpperCase(),
      injunction_number: lateRow.label,
      protocol: lateRow.protocolLabel!,
      protocol_date: lateRow.protocolDate!.replaceAll('-', ''),
      service: parseLine(SPORTELLO_RUOLO_V1.detail, records[1]).service,
      period_from: '202610',
      period_to: '202610',
      notices: '001',
      amount_cents: '0000000003820',
      debtor_address: 'VIA GIUSEPPE GARIBALDI 12/B',
      debtor_postal_code: '29121',
      debtor_municipality: 'PIACENZA',
      debtor_province: 'PC',
      filler: '',
    })
    assert.isNotEmpty(parseLine(SPORTELLO_RUOLO_V1.detail, records[1]).service)
    assert.deepEqual(parseLine(SPORTELLO_RUOLO_V1.trailer, records[2]), {
      record_type: '9',
      details: '0000001',
      total_cents: '000000000003820',
      filler: '',
    })
    const csv = await client
      .get(`${base}/collection-records/${made.body().record.id}/file?format=csv`)
      .loginAs(operator)
    csv.assertStatus(200)
    const csvLines = csv.text().trim().split('\r\n')
    assert.lengthOf(csvLines, 2)
    assert.isTrue(csvLines[0].startsWith('sequence;debtor_fiscal_code;'))
    assert.include(csvLines[1], `;${late.payer.fiscalCode};`)
    assert.isTrue(
      csvLines[1].endsWith(';3820;Via Giuseppe Garibaldi 12/B;29121;Piacenza;PC;38.20'),
      `CSV line: ${csvLines[1]}`
    )

    // At rest the file and its CSV are ciphertext under the data key ring: neither the debtor's
    // codice fiscale nor the address is in the stored bytes; decrypted, they are what was downloaded.
    const recordId = made.body().record.id
    const storedRecord = await db.from('collection_records').where('id', recordId).firstOrFail()
    for (const column of ['content', 'csv'] as const) {
      const raw = String(storedRecord[column])
      assert.isTrue(
        raw.startsWith(`enc:v1:${currentDataCipher().currentKeyId}:`),
        `${column} stored as: ${raw.slice(0, 40)}`
      )
      for (const secret of [late.payer.fiscalCode!, 'GARIBALDI', 'Garibaldi', '12/B']) {
        assert.notInclude(raw, secret, `collection_records.${column} holds "${secret}" in clear`)
      }
    }
    assert.equal(currentDataCipher().decrypt(storedRecord.content), text)
    assert.equal(currentDataCipher().decrypt(storedRecord.csv), csv.text())

    // A key rotation renews them; with the old key gone from the ring both download unchanged.
    const original = currentDataCipher()
    cleanup(() => setDataCipher(original))
    const rotated = `rec:${randomBytes(32).toString('base64')}`
    setDataCipher(new DataCipher(`${rotated},${process.env.DATA_ENCRYPTION_KEYS}`))
    const report = await reencryptAll()
    assert.equal(report.failureCount, 0, JSON.stringify(report.failures))
    const renewed = await db.from('collection_records').where('id', recordId).firstOrFail()
    assert.isTrue(String(renewed.content).startsWith('enc:v1:rec:'), String(renewed.content).slice(0, 40))
    assert.isTrue(String(renewed.csv).startsWith('enc:v1:rec:'), String(renewed.csv).slice(0, 40))
    setDataCipher(new DataCipher(rotated))
    const fileAfter = await client.get(`${base}/collection-records/${recordId}/file`).loginAs(operator)
    assert.equal(fileAfter.text(), text)
    const csvAfter = await client.get(`${base}/collection-records/${recordId}/file?format=csv`).loginAs(operator)
    assert.equal(csvAfter.text(), csv.text())
    // Back under the development key, for the rest of the test.
    setDataCipher(new DataCipher(`${process.env.DATA_ENCRYPTION_KEYS},${rotated}`))
    await reencryptAll()
    setDataCipher(original)

    // A second record takes nothing already handed over.
    const none = await client.post(`${base}/collection-records`).json({ after_days: 0 }).loginAs(operator)
    none.assertStatus(200)
    assert.isNull(none.body().record)
    const recordsList = await client.get(`${base}/collection-records`).loginAs(operator)
    assert.lengthOf(recordsList.body().records, 1)

    // Refusals: a family, a bad number of days, an unknown format.
    const citizen = await client.get(`${base}/injunctions/candidates`).loginAs(late.payer)
    citizen.assertStatus(403)
    const bad = await client.get(`${base}/injunctions/candidates?after_days=-1`).loginAs(operator)
    bad.assertStatus(422)
    assert.equal(bad.body().errors[0].path, '/after_days')
    const format = await client
      .get(`${base}/collection-records/${made.body().record.id}/file?format=pdf`)
      .loginAs(operator)
    format.assertStatus(422)
  })
})
