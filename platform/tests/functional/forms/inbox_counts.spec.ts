import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import { FORM, forChild, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

/**
 * The inbox's counts per status come from counters the database keeps with every change of
 * status (migration 0034). Whatever moves an application, the counters must equal a real count.
 */
async function counted() {
  const real = await db
    .from('submissions')
    .select('tenant_id', 'form_key', 'status')
    .select(db.raw("COALESCE(school_code, '') as school_code"))
    .count('* as total')
    .groupByRaw("tenant_id, form_key, COALESCE(school_code, ''), status")
  const kept = await db.from('submission_status_counts').where('total', '!=', 0)
  const line = (r: Record<string, unknown>) =>
    `${r.tenant_id}|${r.form_key}|${r.school_code}|${r.status}=${Number(r.total)}`
  return { real: real.map(line).sort(), kept: kept.map(line).sort() }
}

test.group('Back office: the counts per status are kept with every change', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('sent, protocolled, sent back, resent, rejected, accepted one by one and in bulk, moved by hand, deleted: the counters equal the rows', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const other = await refezioneTenant()
    const same = async (step: string) => {
      const { real, kept } = await counted()
      assert.deepEqual(kept, real, `counters after: ${step}`)
    }
    await same('nothing yet')

    // A draft, then sent (draft → submitted), then protocolled by the job (submitted → protocolled).
    const draft = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: forChild(sample, 0) })
      .loginAs(citizen)
    draft.assertStatus(201)
    await same('a draft')
    const ids = [draft.body().submission.id as number]
    ;(await client.post(`${base}/submissions/${ids[0]}/submit`).json({}).loginAs(citizen)).assertStatus(200)
    await same('a draft sent')
    for (let n = 1; n < 6; n++) {
      const data = forChild(sample, n)
      if (n === 5) Object.assign(data, { school_id: 'pc-primaria-carducci', class_year: '1', section: 'A' })
      const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(citizen)
      sent.assertStatus(201)
      ids.push(sent.body().submission.id)
    }
    ;(
      await client.post(`${other.base}/forms/${FORM}/submit`).json({ data: other.sample }).loginAs(other.citizen)
    ).assertStatus(201)
    await jobQueue().drained()
    await same('sent and protocolled, in two tenants')

    const move = async (id: number, status: string, reason?: string) =>
      (await client.post(`${base}/submissions/${id}/status`).json({ status, reason }).loginAs(operator)).assertStatus(
        200
      )
    await move(ids[0], 'needs_completion', 'Manca la sezione')
    await same('sent back for completion')
    // Resent by the citizen, at another school: status and school move together.
    const resent = await client
      .put(`${base}/submissions/${ids[0]}`)
      .json({ data: { ...forChild(sample, 0), school_id: 'pc-primaria-carducci', class_year: '2', section: 'A' } })
      .loginAs(citizen)
    resent.assertStatus(200)
    ;(await client.post(`${base}/submissions/${ids[0]}/submit`).json({}).loginAs(citizen)).assertStatus(200)
    await jobQueue().drained()
    await same('resent at another school')
    await move(ids[1], 'rejected', 'Fuori termine')
    await move(ids[2], 'accepted')
    await same('rejected and accepted')
    const bulk = await client
      .post(`${base}/inbox/bulk-accept`)
      .json({ submission_ids: [ids[3], ids[4]] })
      .loginAs(operator)
    bulk.assertStatus(202)
    await jobQueue().drained()
    await same('accepted in bulk')

    // Moved by a statement that no service wrote, and deleted.
    await db.from('submissions').where('id', ids[5]).update({ status: 'rejected' })
    await same('moved by hand')
    const spare = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: forChild(sample, 9) })
      .loginAs(citizen)
    await db.from('submissions').where('id', spare.body().submission.id).delete()
    await same('a draft deleted')

    // And what the inbox answers is what a count gives, in total, by form and by school.
    const real = async (school?: string) => {
      const q = db.from('submissions').where('tenant_id', tenant.id).whereNot('status', 'draft')
      if (school) q.where('school_code', school)
      const rows = await q.select('status').count('* as n').groupBy('status')
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
    }
    const answer = await client.get(`${base}/inbox`).loginAs(operator)
    const nonZero = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0))
    assert.deepEqual(nonZero(answer.body().counts), await real())
    assert.deepEqual(nonZero(answer.body().counts), { accepted: 3, rejected: 2, protocolled: 1 })
    const carducci = await client.get(`${base}/inbox`).qs({ school: 'pc-primaria-carducci' }).loginAs(operator)
    assert.deepEqual(nonZero(carducci.body().counts), await real('pc-primaria-carducci'))
    assert.deepEqual(nonZero(carducci.body().counts), { protocolled: 1, rejected: 1 })
    const otherInbox = await client.get(`${other.base}/inbox`).loginAs(other.operator)
    assert.equal(otherInbox.body().total, 1)
  })
})
