/**
 * A move of a row the caller read a moment ago (the receipt job's) is made without reading the row
 * again when nothing changed it since: its update names the status and the last change it was read
 * with. When the row did change, the move is made on the row read again under a lock, exactly as
 * any other move: the same refusal, the same single audit row and history step, nothing written
 * by the attempt that found the row changed.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import AuditLog from '#models/audit_log'
import Submission from '#models/submission'
import SubmissionEvent from '#models/submission_event'
import type Tenant from '#models/tenant'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { submissionService, TransitionError } from '#services/submissions/submission_service'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { transactionWithJobs } from '#tests/helpers/world'
import { onQueriesWhile } from '#tests/helpers/statements'
import { FORM, forChild, refezioneTenant } from './world.js'

async function statementsWhile<T>(work: () => Promise<T>) {
  const statements: string[] = []
  const result = await onQueriesWhile((query) => statements.push(query.sql), work)
  return { result, statements }
}

const readsSubmissions = (statements: string[]) =>
  statements.filter((sql) => /^select\b.*\bfrom [`"]submissions[`"]/i.test(sql))

test.group('Forms: a move of the row as read', (group) => {
  group.each.setup(() => transactionWithJobs())
  const mails = captureMailEachTest(group)

  /** A protocolled sending of the tenant, read as the receipt job reads it. */
  async function protocolled(client: any): Promise<{ tenant: Tenant; id: number }> {
    mails()
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const sent = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(sample, 1) })
      .loginAs(citizen)
    sent.assertStatus(201)
    await jobQueue().drained()
    return { tenant, id: sent.body().submission.id }
  }

  const inTenant = <T>(tenant: Tenant, fn: () => Promise<T>) =>
    RequestContext.asSystem('test', () => RequestContext.withTenant(tenant.ref, fn))
  const audits = (tenant: Tenant, id: number) =>
    inTenant(tenant, () =>
      AuditLog.query()
        .where('entity', 'submissions')
        .where('entity_id', String(id))
        .where('action', 'update')
        .orderBy('id')
    )
  const events = (tenant: Tenant, id: number) =>
    inTenant(tenant, () => SubmissionEvent.query().where('submission_id', id).orderBy('id'))

  test('unchanged since read: moved by its update alone, audited as a move read under a lock', async ({
    client,
    assert,
  }) => {
    const { tenant, id } = await protocolled(client)
    const row = await inTenant(tenant, () => Submission.findOrFail(id))
    const auditsBefore = (await audits(tenant, id)).length
    const { result, statements } = await statementsWhile(() =>
      inTenant(tenant, () => submissionService.changeStatus(row, 'rejected', 'Fuori termine', null, { asRead: true }))
    )
    assert.equal(result.status, 'rejected')
    assert.deepEqual(readsSubmissions(statements), [], statements.join('\n'))
    const update = statements.filter((sql) => /^update [`"]submissions[`"]/i.test(sql))
    assert.lengthOf(update, 1)
    assert.match(update[0], /\bwhere\b.*[`"]status[`"] = (\?|\$\d+)/, 'the update names the status it was read with')
    const stored = await inTenant(tenant, () => Submission.findOrFail(id))
    assert.equal(stored.status, 'rejected')
    assert.equal(stored.statusReason, 'Fuori termine')
    const written = (await audits(tenant, id)).slice(auditsBefore)
    assert.lengthOf(written, 1)
    assert.include(written[0].before, { status: 'protocolled', statusReason: null })
    assert.include(written[0].after, { status: 'rejected' })
    assert.match(String(written[0].after!.statusReason), /^enc:/, 'the reason kept encrypted in the audit, as any move')
    const history = await events(tenant, id)
    assert.deepInclude(history.at(-1)!.serialize(), { fromStatus: 'protocolled', toStatus: 'rejected' })
  }).timeout(30000)

  test('changed since read: moved on the row read again, one audit row and one history step', async ({
    client,
    assert,
  }) => {
    const { tenant, id } = await protocolled(client)
    const row = await inTenant(tenant, () => Submission.findOrFail(id))
    // Another process's write after the read: the last change is no longer the one read.
    await db.from('submissions').where('id', id).update({ updated_at: '2020-01-01 00:00:00' })
    const auditsBefore = (await audits(tenant, id)).length
    const eventsBefore = (await events(tenant, id)).length
    const { result, statements } = await statementsWhile(() =>
      inTenant(tenant, () => submissionService.changeStatus(row, 'rejected', 'Fuori termine', null, { asRead: true }))
    )
    assert.equal(result.status, 'rejected')
    assert.notStrictEqual(result, row, 'the row read again is the one moved')
    assert.lengthOf(readsSubmissions(statements), 1, 'read again under a lock')
    assert.equal(row.status, 'protocolled', "the caller's row is left as it was read")
    assert.isFalse(row.$isDirty)
    const written = (await audits(tenant, id)).slice(auditsBefore)
    assert.lengthOf(written, 1, 'the attempt that found the row changed wrote no audit row')
    assert.include(written[0].before, { status: 'protocolled' })
    assert.lengthOf((await events(tenant, id)).slice(eventsBefore), 1)
  }).timeout(30000)

  test('moved by someone else since read: refused as any move from that status, nothing written', async ({
    client,
    assert,
  }) => {
    const { tenant, id } = await protocolled(client)
    const row = await inTenant(tenant, () => Submission.findOrFail(id))
    const other = await inTenant(tenant, () => Submission.findOrFail(id))
    await inTenant(tenant, () => submissionService.changeStatus(other, 'needs_completion', 'Manca il documento', null))
    const auditsBefore = (await audits(tenant, id)).length
    const eventsBefore = (await events(tenant, id)).length
    await assert.rejects(
      () =>
        inTenant(tenant, () =>
          submissionService.changeStatus(row, 'rejected', 'Fuori termine', null, { asRead: true })
        ),
      TransitionError
    )
    const stored = await inTenant(tenant, () => Submission.findOrFail(id))
    assert.equal(stored.status, 'needs_completion')
    assert.lengthOf((await audits(tenant, id)).slice(auditsBefore), 0)
    assert.lengthOf((await events(tenant, id)).slice(eventsBefore), 0)
  }).timeout(30000)
})
