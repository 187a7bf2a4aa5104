import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import { makeUser } from '#tests/helpers/world'
import { RequestContext } from '#services/infrastructure/request_context'
import { bulkAcceptJob, MAX_BULK_ITEMS } from '#services/submissions/bulk_accept'
import { FORM, forChild, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

type Item = { submissionId: number; status: string; message: string | null }

/** A tenant with `count` canteen applications sent and protocolled. */
async function inboxWith(client: ApiClient, count: number) {
  const world = await refezioneTenant()
  const ids: number[] = []
  for (let n = 0; n < count; n++) {
    const sent = await client
      .post(`${world.base}/forms/${FORM}/submit`)
      .json({ data: forChild(world.sample, n) })
      .loginAs(world.citizen)
    sent.assertStatus(201)
    ids.push(sent.body().submission.id)
  }
  await jobQueue().drained()
  return { ...world, ids }
}

async function acceptedEvents(ids: number[]) {
  return db.from('submission_events').whereIn('submission_id', ids).where('to_status', 'accepted')
}

test.group('Back office: accepting a selection of applications as a job', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('each application is accepted and enrolled once; one that cannot be is listed with why', async ({
    client,
    assert,
  }) => {
    const { ids, base, operator, tenant } = await inboxWith(client, 4)
    const rejected = ids[2]
    ;(
      await client
        .post(`${base}/submissions/${rejected}/status`)
        .json({ status: 'rejected', reason: 'Fuori termine' })
        .loginAs(operator)
    ).assertStatus(200)

    const asked = await client.post(`${base}/inbox/bulk-accept`).json({ submission_ids: ids }).loginAs(operator)
    asked.assertStatus(202)
    const action = asked.body().action
    assert.equal(action.total, 4)
    assert.include(['queued', 'running', 'done'], action.status)
    await jobQueue().drained()

    const progress = await client
      .get(`${base}/inbox/bulk/${action.id}`)
      .header('accept-language', 'en')
      .loginAs(operator)
    progress.assertStatus(200)
    const done = progress.body().action
    assert.equal(done.status, 'done')
    assert.deepInclude(done, { total: 4, done: 3, failed: 1, pending: 0 })
    const failed = done.items.find((i: Item) => i.status === 'failed')
    assert.equal(failed.submissionId, rejected)
    assert.match(failed.message, /Rejected cannot become Accepted: its status is final/)

    // Accepted by the operator who asked, each once, each child enrolled.
    const events = await acceptedEvents(ids)
    assert.sameMembers(
      events.map((e) => e.submission_id),
      ids.filter((id) => id !== rejected)
    )
    assert.isTrue(events.every((e) => e.user_id === operator.id))
    const enrolments = await db.from('enrolments').where('tenant_id', tenant.id).whereIn('submission_id', ids)
    assert.lengthOf(enrolments, 3)

    // A second selection naming accepted ones accepts nothing twice.
    const again = await client
      .post(`${base}/inbox/bulk-accept`)
      .json({ submission_ids: [ids[0], ids[1]] })
      .loginAs(operator)
    again.assertStatus(202)
    await jobQueue().drained()
    const second = (await client.get(`${base}/inbox/bulk/${again.body().action.id}`).loginAs(operator)).body().action
    assert.deepInclude(second, { done: 0, failed: 2 })
    assert.match(second.items[0].message, /Accolta non può diventare Accolta/)
    assert.lengthOf(await acceptedEvents(ids), 3)
    assert.lengthOf(await db.from('enrolments').where('tenant_id', tenant.id).whereIn('submission_id', ids), 3)

    // The request is in the audit log with who asked.
    const audit = await db.from('audit_logs').where('entity', 'bulk_actions').where('action', 'create')
    assert.isTrue(audit.some((a) => a.actor_user_id === operator.id))
  })

  test('a job run again after a crash takes up only what is still pending', async ({ client, assert }) => {
    const { ids, base, operator, tenant } = await inboxWith(client, 3)
    const asked = await client.post(`${base}/inbox/bulk-accept`).json({ submission_ids: ids }).loginAs(operator)
    asked.assertStatus(202)
    await jobQueue().drained()
    const id = asked.body().action.id
    // As if the process died after the items and before the action was marked done.
    await db.from('bulk_actions').where('id', id).update({ status: 'running', finished_at: null })
    // And one item's acceptance had rolled back (its application still protocolled).
    const [undone] = await db.from('bulk_action_items').where('bulk_action_id', id).orderBy('id', 'desc').limit(1)
    await db.from('bulk_action_items').where('id', undone.id).update({ status: 'pending' })
    await db.from('enrolments').where('submission_id', undone.submission_id).delete()
    await db
      .from('submission_events')
      .where('submission_id', undone.submission_id)
      .where('to_status', 'accepted')
      .delete()
    await db.from('submissions').where('id', undone.submission_id).update({ status: 'protocolled' })

    await RequestContext.asSystem('test', () =>
      RequestContext.withTenant(tenant.ref, () =>
        bulkAcceptJob.handle(
          { bulkActionId: id },
          { name: 'x', id: 'x', runId: 'r', attempt: 2, tenant: tenant.ref, log: () => {} }
        )
      )
    )
    const after = (await client.get(`${base}/inbox/bulk/${id}`).loginAs(operator)).body().action
    assert.deepInclude(after, { status: 'done', done: 3, failed: 0 })
    const events = await acceptedEvents(ids)
    assert.lengthOf(events, 3, 'each accepted once')
    assert.lengthOf(await db.from('enrolments').whereIn('submission_id', ids), 3)
  })

  test('the selection is checked: size, numbers, this tenant only, operators only', async ({ client, assert }) => {
    const { ids, base, operator, citizen } = await inboxWith(client, 1)
    const other = await inboxWith(client, 1)
    const post = (body: unknown, user = operator) => client.post(`${base}/inbox/bulk-accept`).json(body).loginAs(user)
    for (const body of [
      {},
      { submission_ids: [] },
      { submission_ids: ['1'] },
      { submission_ids: [ids[0], ids[0]] },
      { submission_ids: Array.from({ length: MAX_BULK_ITEMS + 1 }, (_, n) => n + 1) },
      { submission_ids: [ids[0]], extra: true },
    ]) {
      const answer = await post(body)
      answer.assertStatus(422)
      assert.equal(answer.body().errors[0].path, '/submission_ids')
    }
    const foreign = await post({ submission_ids: [ids[0], other.ids[0]] })
    foreign.assertStatus(422)
    assert.include(foreign.body().errors[0].message, String(other.ids[0]))
    assert.lengthOf(await db.from('bulk_actions'), 0, 'nothing written for a refused request')
    ;(await post({ submission_ids: ids }, citizen)).assertStatus(403)
    const stranger = await makeUser(other.tenant, ['operator'])
    ;(await client.get(`${base}/inbox/bulk/1`).loginAs(stranger)).assertStatus(403)
    ;(await client.get(`${base}/inbox/bulk/999999`).loginAs(operator)).assertStatus(404)
  })
})
