/**
 * What the follow-up of one sending costs the database: the statements the receipt job runs
 * (protocol registration, status change, the two receipts, the email's attempt record), counted on
 * the app's own connection while the job runs. The count is a ceiling that only goes down (see
 * docs/security.md, "Under load"); the tenant and the users are read once per job, not once per
 * receipt.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import { currentJobRun } from '#queue/run_job'
import { SUBMISSION_RECEIPT_JOB } from '#services/submissions/submission_service'
import { transactionWithJobs } from '#tests/helpers/world'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { FORM, forChild, refezioneTenant } from './world.js'

/** The ceiling: lower it when a change saves a statement, never raise it without saying why. */
const MAX_STATEMENTS = 24

/** Every statement run inside a receipt job's run (the dispatcher's claim and outcome are outside it). */
function jobStatements() {
  const statements: string[] = []
  const listener = (query: { sql: string }) => {
    if (currentJobRun()?.name === SUBMISSION_RECEIPT_JOB) statements.push(query.sql)
  }
  const knex = db.connection().getWriteClient()
  knex.on('query', listener)
  return {
    stop() {
      knex.off('query', listener)
      return statements
    },
  }
}

const reads = (statements: string[], table: string) =>
  statements.filter((sql) => new RegExp(`^select\\b.*\\bfrom [\`"]${table}[\`"]`, 'i').test(sql))

test.group('Forms: the statements of one receipt job', (group) => {
  group.each.setup(() => transactionWithJobs())
  const mails = captureMailEachTest(group)

  test('a receipt job runs at most the statements counted here, reading the tenant and users once', async ({
    client,
    assert,
  }) => {
    const smtp = mails()
    const { citizen, base, sample } = await refezioneTenant()
    // The first sending warms what a process keeps (the form version, the rule set).
    const first = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(sample, 1) })
      .loginAs(citizen)
    first.assertStatus(201)
    await jobQueue().drained()
    const counting = jobStatements()
    const response = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(sample, 2) })
      .loginAs(citizen)
    response.assertStatus(201)
    await jobQueue().drained()
    const statements = counting.stop()
    assert.lengthOf(smtp.received, 2, 'both sendings protocolled and their receipts emailed')
    const shown = await client.get(`${base}/submissions/${response.body().submission.id}`).loginAs(citizen)
    assert.equal(shown.body().submission.status, 'protocolled')
    // 34 before: each of the two receipts read the tenant, the applicant and the filer (the same
    // person, printed only for a sending made on someone's behalf) through the models, and
    // computed the fee again; the protocol read the tenant a third time to find its system.
    assert.isAtMost(statements.length, MAX_STATEMENTS, statements.join('\n'))
    assert.lengthOf(reads(statements, 'users'), 1, reads(statements, 'users').join('\n'))
    // 25: the fee's rule set kept by the process under the tenant's content stamp, read with the
    // tenant's row the receipt prints (ruleset_service.ts): no read of it while the stamp holds.
    assert.lengthOf(reads(statements, 'ruleset(_version)?s'), 0, reads(statements, 'ruleset(_version)?s').join('\n'))
    // 24: the submission read once, by the job; its move to protocolled updates the row as read
    // (submission_service.ts, #moveAsRead) instead of reading it again under a lock.
    assert.lengthOf(reads(statements, 'submissions'), 1, reads(statements, 'submissions').join('\n'))
  }).timeout(30000)
})
