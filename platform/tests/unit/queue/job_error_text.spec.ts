import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { InProcessQueue } from '#queue/in_process_driver'
import { errorText, withoutPersonalData } from '#queue/job_store'

const quiet = { info() {}, error() {} }

test.group('Job errors kept for support', () => {
  test('an address or a codice fiscale in an error is masked', ({ assert }) => {
    const refusal = '550 5.1.1 <mario.rossi+scuola@posta.example.it>: Recipient address rejected'
    assert.equal(withoutPersonalData(refusal), '550 5.1.1 <[email]>: Recipient address rejected')
    assert.equal(
      withoutPersonalData('no enrolment for RSSMRA85T10A562S nor rssmra85t10a562s'),
      'no enrolment for [codice fiscale] nor [codice fiscale]'
    )
    const plain = 'connect ECONNREFUSED 127.0.0.1:2525 (attempt 3 of 5)'
    assert.equal(withoutPersonalData(plain), plain)
    assert.equal(errorText(new TypeError('to a@b.it')), 'TypeError: to [email]')
  })

  test('masking stays linear on long text without a match', ({ assert }) => {
    const text = 'a'.repeat(200_000) + '@' + '.'.repeat(200_000)
    const started = process.hrtime.bigint()
    withoutPersonalData(text)
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    assert.isBelow(ms, 2000)
  })

  test('a failed job keeps its error without the recipient it names', async ({ assert }) => {
    const queue = new InProcessQueue(quiet, { db, queue: `errors-${randomUUID()}`, pollMs: 20 })
    queue.define('notice', {
      attempts: 1,
      handle: () => {
        throw new Error('SMTP 550: mailbox unavailable for giulia.bianchi@example.org (BNCGLI90A41G337X)')
      },
    })
    try {
      await queue.start()
      await queue.enqueue('notice', {}, { jobId: 'notice-1' })
      await queue.drained()
      const stored = await queue.details('notice-1')
      assert.equal(stored?.status, 'failed')
      assert.equal(stored?.lastError, 'Error: SMTP 550: mailbox unavailable for [email] ([codice fiscale])')
    } finally {
      await queue.close({ force: true })
    }
  })
})
