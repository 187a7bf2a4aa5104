import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import { DateTime, Settings } from 'luxon'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import {
  ENROLMENTS_YEAR_END_JOB,
  YEAR_END_REASON,
  endRenewedEnrolments,
  schoolYearOf,
} from '#services/enrolments/year_end'
import { FORM, forChild, refezioneTenant } from '#tests/functional/forms/world'
import { transactionWithJobs } from '../../helpers/world.js'

/** A tenant with `count` canteen enrolments accepted by the operator, and the first `renew` of them renewed. */
async function renewedWorld(client: ApiClient, count: number, renew: number) {
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
  const answer = await client
    .post(`${world.base}/enrolments/renew`)
    .json({ enrolment_ids: ids.slice(0, renew) })
    .loginAs(world.operator)
  answer.assertStatus(200)
  for (const result of answer.body().results) {
    if (result.outcome !== 'renewed') throw new Error(`expected a renewal, got ${JSON.stringify(result)}`)
  }
  const { school_year: year } = await db.from('enrolments').where('id', ids[0]).first()
  return { ...world, ids, year: year as string, lastDay: `${Number(year.slice(0, 4)) + 1}-08-31` }
}

const statusOf = async (id: number) => (await db.from('enrolments').where('id', id).first()).status as string
const after = (a: { after: unknown }) => (typeof a.after === 'string' ? JSON.parse(a.after) : a.after)
const endings = async (tenantId: number) =>
  (
    await db
      .from('audit_logs')
      .where('tenant_id', tenantId)
      .where('entity', 'enrolments')
      .where('action', 'update')
      .orderBy('id')
  ).filter((a) => after(a)?.reason === YEAR_END_REASON)

/** Italian noon of a day, as the clock's reading. */
const noonOf = (day: string) => DateTime.fromISO(`${day}T12:00:00`, { zone: 'Europe/Rome' })

test.group('Enrolments: the nightly end of renewed school years', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.teardown(() => {
    Settings.now = () => Date.now()
  })

  test('the school year a day falls in', ({ assert }) => {
    assert.equal(schoolYearOf('2027-03-10'), '2026/2027')
    assert.equal(schoolYearOf('2027-08-31'), '2026/2027')
    assert.equal(schoolYearOf('2027-09-01'), '2027/2028')
    assert.equal(schoolYearOf('2026-12-31'), '2026/2027')
  })

  test('renewed enrolments stay active until 31 August and are ended from 1 September, once, audited with the reason', async ({
    client,
    assert,
  }) => {
    const { tenant, ids, lastDay, year } = await renewedWorld(client, 3, 2)
    const [first, second, notRenewed] = ids
    const renewals = await db.from('enrolments').whereIn('renewed_from_id', [first, second]).orderBy('renewed_from_id')
    assert.lengthOf(renewals, 2)
    // Renewed while the year runs: still active, as the canteen reads it.
    assert.equal(await statusOf(first), 'active')

    // On its last day nothing ends.
    const onLastDay = await RequestContext.withTenant(tenant.ref, () =>
      endRenewedEnrolments({ now: noonOf(lastDay).set({ hour: 23, minute: 59 }) })
    )
    assert.equal(onLastDay, 0)
    assert.equal(await statusOf(first), 'active')

    // The day after (00:30 in Italy is still 31 August in UTC: the Italian day counts).
    const dayAfter = DateTime.fromISO(lastDay, { zone: 'Europe/Rome' }).plus({ days: 1 }).set({ hour: 0, minute: 30 })
    const ended = await RequestContext.withTenant(tenant.ref, () => endRenewedEnrolments({ now: dayAfter }))
    assert.equal(ended, 2)
    assert.equal(await statusOf(first), 'ended')
    assert.equal(await statusOf(second), 'ended')
    // Not renewed: left to the office. The renewals themselves run their new year.
    assert.equal(await statusOf(notRenewed), 'active')
    for (const renewal of renewals) assert.equal(await statusOf(renewal.id), 'active')

    const audit = await endings(tenant.id)
    assert.deepEqual(
      audit.map((a) => Number(a.entity_id)),
      [first, second]
    )
    assert.deepEqual(after(audit[0]), {
      status: 'ended',
      reason: YEAR_END_REASON,
      school_year: year,
      renewed_id: renewals[0].id,
    })
    assert.isNull(audit[0].actor_user_id)

    // Idempotent: a second run changes nothing and audits nothing.
    const again = await RequestContext.withTenant(tenant.ref, () => endRenewedEnrolments({ now: dayAfter }))
    assert.equal(again, 0)
    assert.lengthOf(await endings(tenant.id), 2)
  })

  test('the scheduled job ends them in every tenant, as the system, and only in the tenant they belong to', async ({
    client,
    assert,
  }) => {
    const a = await renewedWorld(client, 1, 1)
    const b = await renewedWorld(client, 1, 1)

    // The job reads the clock: before the year's end it leaves both alone.
    // Read before the clock is replaced: luxon's own parsing reads the clock.
    const before = noonOf(a.lastDay).toMillis()
    const after1 = noonOf(a.lastDay).plus({ days: 1 }).toMillis()
    Settings.now = () => before
    await jobQueue().enqueue(ENROLMENTS_YEAR_END_JOB, {}, { jobId: 'year-end:before' })
    await jobQueue().drained()
    assert.equal(await statusOf(a.ids[0]), 'active')
    assert.equal(await statusOf(b.ids[0]), 'active')

    Settings.now = () => after1
    await jobQueue().enqueue(ENROLMENTS_YEAR_END_JOB, {}, { jobId: 'year-end:after' })
    await jobQueue().drained()
    await jobQueue().enqueue(ENROLMENTS_YEAR_END_JOB, {}, { jobId: 'year-end:again' })
    await jobQueue().drained()
    assert.equal(await statusOf(a.ids[0]), 'ended')
    assert.equal(await statusOf(b.ids[0]), 'ended')
    for (const world of [a, b]) {
      const audit = await endings(world.tenant.id)
      assert.deepEqual(
        audit.map((row) => [Number(row.entity_id), row.actor_label]),
        [[world.ids[0], `system:job:${ENROLMENTS_YEAR_END_JOB}`]],
        `one ending in ${world.tenant.slug}, by the job`
      )
    }
  })
})
