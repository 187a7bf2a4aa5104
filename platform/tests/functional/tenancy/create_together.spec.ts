/**
 * Rows of one model written by one multi-row insert (a new sending's two history steps): they must
 * be stored as `save()` stores them one by one: the tenant assigned and checked by the TenantScoped
 * hooks, the operator's reason encrypted at rest, the ids in the order given.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTogether } from '#models/create_together'
import SubmissionEvent from '#models/submission_event'
import Submission from '#models/submission'
import { DataCipher } from '#services/infrastructure/data_cipher'
import { RequestContext } from '#services/infrastructure/request_context'
import { findCurrentForm } from '#services/definitions/form_service'
import { submissionService } from '#services/submissions/submission_service'
import { makeTenant } from '#tests/helpers/world'
import { transactionWithJobs } from '#tests/helpers/world'
import { FORM, refezioneTenant } from '../forms/world.js'

async function draftOf(tenantRef: { id: number; slug: string }, userId: number, data: Record<string, unknown>) {
  return RequestContext.withTenant(tenantRef, async () => {
    const current = (await findCurrentForm(FORM))!
    const outcome = await submissionService.createDraft(
      current,
      { data, applicantUserId: userId, actorUserId: userId },
      'it'
    )
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors))
    return outcome.submission
  })
}

test.group('Models: rows created together', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('stores what one save per row stores, in one statement, ids in the order given', async ({ assert }) => {
    const { tenant, citizen, sample } = await refezioneTenant()
    const draft: Submission = await draftOf(tenant.ref, citizen.id, sample)
    const statements: string[] = []
    const listener = (query: { sql: string }) => statements.push(query.sql)
    const knex = db.connection().getWriteClient()
    knex.on('query', listener)
    const rows = await RequestContext.withTenant(tenant.ref, () =>
      db.transaction((trx) =>
        createTogether(
          SubmissionEvent,
          [
            { submissionId: draft.id, fromStatus: 'draft', toStatus: 'submitted', reason: 'Consegnata allo sportello' },
            { submissionId: draft.id, fromStatus: 'submitted', toStatus: 'protocolled', reason: null, userId: null },
          ],
          trx
        )
      )
    ).finally(() => knex.off('query', listener))
    assert.lengthOf(
      statements.filter((sql) => /^insert into [`"]submission_events[`"]/i.test(sql)),
      1,
      statements.join('\n')
    )
    assert.deepEqual(
      rows.map((r) => r.toStatus),
      ['submitted', 'protocolled']
    )
    assert.isTrue(rows.every((r) => r.$isPersisted && r.tenantId === tenant.id && r.createdAt !== undefined))
    assert.isBelow(rows[0].id, rows[1].id)
    const stored = await db.from('submission_events').whereIn('id', [rows[0].id, rows[1].id]).orderBy('id')
    assert.deepEqual(
      stored.map((r) => [r.id, r.tenant_id, r.to_status]),
      [
        [rows[0].id, tenant.id, 'submitted'],
        [rows[1].id, tenant.id, 'protocolled'],
      ]
    )
    // The reason is encrypted at rest, as the column's own save would store it, and reads back.
    assert.isTrue(DataCipher.isEncrypted(stored[0].reason), String(stored[0].reason))
    assert.isNull(stored[1].reason)
    const read = await RequestContext.withTenant(tenant.ref, () => SubmissionEvent.findOrFail(rows[0].id))
    assert.equal(read.reason, 'Consegnata allo sportello')
  })

  test("refuses a row of another tenant, as a model's save does, and writes nothing", async ({ assert }) => {
    const { tenant, citizen, sample } = await refezioneTenant()
    const other = await makeTenant()
    const draft: Submission = await draftOf(tenant.ref, citizen.id, sample)
    const before = await db.from('submission_events').count('* as n')
    await assert.rejects(
      () =>
        RequestContext.withTenant(tenant.ref, () =>
          db.transaction((trx) =>
            createTogether(
              SubmissionEvent,
              [
                { submissionId: draft.id, fromStatus: 'draft', toStatus: 'submitted', reason: null },
                {
                  tenantId: other.id,
                  submissionId: draft.id,
                  fromStatus: 'draft',
                  toStatus: 'submitted',
                  reason: null,
                },
              ],
              trx
            )
          )
        ),
      /another tenant/
    )
    assert.deepEqual(await db.from('submission_events').count('* as n'), before)
  })
})
