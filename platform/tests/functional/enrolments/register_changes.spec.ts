import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import Enrolment from '#models/enrolment'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM, forChild, refezioneTenant } from '#tests/functional/forms/world'
import { transactionWithJobs } from '../../helpers/world.js'

type Result = { enrolmentId: number; outcome: string; renewedId?: number; message: string | null }

/** A tenant with `count` canteen enrolments (primaria, class 2 in the sample), accepted by the operator. */
async function enrolled(client: ApiClient, count: number) {
  const world = await refezioneTenant()
  const ids: number[] = []
  for (let n = 0; n < count; n++) {
    const sent = await client
      .post(`${world.base}/forms/${FORM}/submit`)
      .json({ data: forChild(world.sample, n) })
      .loginAs(world.citizen)
    sent.assertStatus(201)
    await jobQueue().drained()
    const sid = sent.body().submission.id
    ;(
      await client.post(`${world.base}/submissions/${sid}/status`).json({ status: 'accepted' }).loginAs(world.operator)
    ).assertStatus(200)
    const [row] = await db.from('enrolments').where('submission_id', sid)
    ids.push(row.id)
  }
  return { ...world, enrolmentIds: ids }
}

test.group('Register: withdraw from a date, renew for the next school year', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('withdrawn from a day of its school year, with the reason, once; audited', async ({ client, assert }) => {
    const { base, operator, citizen, tenant, enrolmentIds } = await enrolled(client, 1)
    const [id] = enrolmentIds
    const { school_year: year } = await db.from('enrolments').where('id', id).first()
    const start = Number(year.slice(0, 4))
    const withdraw = (body: unknown, user = operator) =>
      client.post(`${base}/enrolments/${id}/withdraw`).json(body).loginAs(user)

    const wrong = await withdraw({ from: `${start - 1}-06-01`, reason: '' })
    wrong.assertStatus(422)
    assert.sameMembers(
      wrong.body().errors.map((e: { path: string }) => e.path),
      ['/from', '/reason']
    )
    ;(await withdraw({ from: `${start}-11-15`, reason: 'Trasferimento' }, citizen)).assertStatus(403)

    const reason = 'La famiglia si trasferisce in un altro comune.'
    const done = await withdraw({ from: `${start}-11-15`, reason })
    done.assertStatus(200)
    const enrolment = done.body().enrolment
    assert.equal(enrolment.status, 'withdrawn')
    assert.equal(enrolment.withdrawnFrom, `${start}-11-15`)
    assert.deepEqual(enrolment.withdrawal, { from: `${start}-11-15`, reason, byName: operator.fullName })
    const again = await withdraw({ from: `${start}-12-01`, reason })
    again.assertStatus(409)

    // The reason is encrypted at rest; the audit has who.
    const stored = await db.from('enrolments').where('id', id).first()
    assert.notInclude(stored.withdrawal_reason, 'trasferisce')
    const audit = await db
      .from('audit_logs')
      .where('tenant_id', tenant.id)
      .where('entity', 'enrolments')
      .where('entity_id', String(id))
      .where('action', 'update')
    assert.isTrue(audit.some((a) => a.actor_user_id === operator.id))
    // The family reads that it is withdrawn, not the office's reason.
    const family = await client.get(`${base}/enrolments/${id}`).loginAs(citizen)
    assert.isNull(family.body().enrolment.withdrawal)
  })

  test('renewed once into the next year with the class moved on; at the end of the cycle not', async ({
    client,
    assert,
  }) => {
    const { base, operator, tenant, enrolmentIds } = await enrolled(client, 3)
    const [second, fifth, gone] = enrolmentIds
    await RequestContext.withTenant(tenant.ref, async () => {
      const row = await Enrolment.findOrFail(fifth)
      row.details = { ...row.details, class_year: '5' }
      await row.save()
    })
    const { school_year: year } = await db.from('enrolments').where('id', second).first()
    const start = Number(year.slice(0, 4))
    ;(
      await client
        .post(`${base}/enrolments/${gone}/withdraw`)
        .json({ from: `${start}-10-01`, reason: 'Ritiro' })
        .loginAs(operator)
    ).assertStatus(200)

    const renew = (ids: unknown) =>
      client.post(`${base}/enrolments/renew`).json({ enrolment_ids: ids }).loginAs(operator)
    ;(await renew([])).assertStatus(422)
    ;(await renew([second, second])).assertStatus(422)
    const answer = await renew([second, fifth, gone, 999999])
    answer.assertStatus(200)
    const results: Result[] = answer.body().results
    const of = (id: number) => results.find((r) => r.enrolmentId === id)!
    assert.equal(of(second).outcome, 'renewed')
    assert.equal(of(fifth).outcome, 'cycle_end')
    assert.include(of(fifth).message, 'Ciclo scolastico concluso')
    assert.equal(of(gone).outcome, 'not_active')
    assert.equal(of(999999).outcome, 'not_found')

    const renewed = await client.get(`${base}/enrolments/${of(second).renewedId}`).loginAs(operator)
    renewed.assertStatus(200)
    const next = renewed.body().enrolment
    assert.equal(next.schoolYear, `${start + 1}/${start + 2}`)
    assert.equal(next.renewedFromId, second)
    assert.equal(next.details.class_year, '3')
    const previous = (await client.get(`${base}/enrolments/${second}`).loginAs(operator)).body().enrolment
    assert.deepEqual(next.child, previous.child)
    assert.equal(next.school.id, previous.school.id)
    assert.match(next.tariff.amount, /^\d+\.\d{2}$/)
    assert.equal(next.tariff.at, `${start + 1}-09-01`)
    // Renewed while its school year runs: it stays active, the canteen and billing still read it.
    assert.equal(previous.status, 'active')
    assert.equal((await client.get(`${base}/enrolments/${fifth}`).loginAs(operator)).body().enrolment.status, 'active')

    // Asked again: the same renewal, never a second one.
    const again = await renew([second])
    assert.deepInclude(again.body().results[0], { outcome: 'already_renewed', renewedId: of(second).renewedId })
    const rows = await db.from('enrolments').where('tenant_id', tenant.id).where('renewed_from_id', second)
    assert.lengthOf(rows, 1)
  })

  test('a year renewed after it is over is ended in the renewal, audited with who renewed', async ({
    client,
    assert,
  }) => {
    const { base, operator, tenant, enrolmentIds } = await enrolled(client, 1)
    const [id] = enrolmentIds
    const { school_year: year } = await db.from('enrolments').where('id', id).first()
    const start = Number(year.slice(0, 4))
    // Last year's enrolment, renewed late: its school year ended on 31 August.
    await db
      .from('enrolments')
      .where('id', id)
      .update({ school_year: `${start - 1}/${start}` })
    const answer = await client
      .post(`${base}/enrolments/renew`)
      .json({ enrolment_ids: [id] })
      .loginAs(operator)
    answer.assertStatus(200)
    assert.equal(answer.body().results[0].outcome, 'renewed')
    const previous = (await client.get(`${base}/enrolments/${id}`).loginAs(operator)).body().enrolment
    assert.equal(previous.status, 'ended')
    const ending = await db
      .from('audit_logs')
      .where('tenant_id', tenant.id)
      .where('entity', 'enrolments')
      .where('entity_id', String(id))
      .where('action', 'update')
    assert.isTrue(
      ending.some(
        (a) =>
          a.actor_user_id === operator.id &&
          (typeof a.after === 'string' ? JSON.parse(a.after) : a.after)?.status === 'ended'
      ),
      'the ending is audited with the operator'
    )
  })
})
