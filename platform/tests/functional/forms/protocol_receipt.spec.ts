import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { PDFDocument } from 'pdf-lib'
import { jobQueue } from '#queue/queue_factory'
import { SUBMISSION_RECEIPT_JOB } from '#services/submissions/submission_service'
import { FORM, forChild, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'
import { captureMailEachTest } from '../../helpers/smtp.js'

test.group('Submission: protocol number, receipt PDF, email', (group) => {
  // Jobs a test started (protocol, receipt) end before its transaction is rolled back.
  group.each.setup(() => transactionWithJobs())
  const mails = captureMailEachTest(group)

  test('a valid submission is protocolled and its receipt is emailed to the applicant', async ({ client, assert }) => {
    const smtp = mails()
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const response = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    response.assertStatus(201)
    const id = response.body().submission.id
    await jobQueue().drained()

    const shown = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    const submission = shown.body().submission
    assert.equal(submission.status, 'protocolled')
    const year = new Date().getFullYear()
    assert.match(submission.protocolNumber, new RegExp(`^${year}/\\d{7}$`))
    assert.deepEqual(
      submission.history.map((h: { to: string }) => h.to),
      ['draft', 'submitted', 'protocolled']
    )

    assert.lengthOf(smtp.received, 1)
    const mail = smtp.received[0]
    assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : null, citizen.email)
    assert.include(mail.subject, submission.protocolNumber)
    assert.include(mail.text, submission.protocolNumber)
    assert.lengthOf(mail.attachments, 1)
    assert.equal(mail.attachments[0].contentType, 'application/pdf')
    const pdf = await PDFDocument.load(mail.attachments[0].content)
    assert.equal(pdf.getSubject(), `Protocollo ${submission.protocolNumber}`)
    assert.isAtLeast(pdf.getPageCount(), 1)

    const receipt = await client.get(`${base}/submissions/${id}/receipt`).loginAs(citizen)
    receipt.assertStatus(200)
    assert.equal(receipt.header('content-type'), 'application/pdf')

    // Running the job again (a retry, a second enqueue) registers nothing new and sends no second email.
    await jobQueue().enqueue(SUBMISSION_RECEIPT_JOB, { submissionId: id }, { jobId: `again:${id}`, tenant: tenant.ref })
    await jobQueue().drained()
    const entries = await db.from('protocol_entries').where('tenant_id', tenant.id)
    assert.lengthOf(entries, 1)
    assert.lengthOf(smtp.received, 1)
    assert.equal(`${entries[0].year}/${String(entries[0].number).padStart(7, '0')}`, submission.protocolNumber)
  }).timeout(30000)

  test('protocol numbers follow each other within a tenant', async ({ client, assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const numbers: string[] = []
    for (let i = 0; i < 3; i++) {
      const response = await client
        .post(`${base}/forms/${FORM}/submit`)
        .json({ data: forChild(sample, i) })
        .loginAs(citizen)
      response.assertStatus(201)
      await jobQueue().drained()
      const shown = await client.get(`${base}/submissions/${response.body().submission.id}`).loginAs(citizen)
      numbers.push(shown.body().submission.protocolNumber)
    }
    const seq = numbers.map((n) => Number(n.split('/')[1]))
    assert.deepEqual(seq, [seq[0], seq[0] + 1, seq[0] + 2])
  }).timeout(30000)

  test('a draft has no receipt yet', async ({ client }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    const receipt = await client.get(`${base}/submissions/${draft.body().submission.id}/receipt`).loginAs(citizen)
    receipt.assertStatus(409)
  })
})
