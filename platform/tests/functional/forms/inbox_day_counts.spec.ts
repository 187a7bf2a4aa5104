import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { jobQueue } from '#queue/queue_factory'
import { planDays, sendingRange } from '#services/submissions/inbox_day_counts'
import { FORM, forChild, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

/**
 * The inbox's counts under dates or a school year come from counters per day of sending
 * (migration 0037) plus the parts of days at the range's ends. Whatever the range and whatever
 * moves an application, they must equal a real count of the applications the filters select.
 */
const format = () => db.connection().dialect.dateTimeFormat
/** An Italian time as the database stores it (what Lucid writes). */
const stored = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Rome' }).toLocal().toFormat(format())
/** An Italian midnight as the inbox's filters write it. */
const midnight = (day: string) => stored(`${day}T00:00:00`)

async function dayCounters() {
  const real = await db
    .from('submissions')
    .select('tenant_id', 'form_key', 'status', 'submitted_at')
    .select(db.raw("COALESCE(school_code, '') as school_code"))
  const byKey = new Map<string, number>()
  const postgres = db.connection().dialect.name === 'postgres'
  for (const r of real) {
    const at = r.submitted_at
    const day =
      at === null ? '' : postgres ? DateTime.fromJSDate(at).setZone('Europe/Rome').toISODate() : String(at).slice(0, 10)
    const key = `${r.tenant_id}|${r.form_key}|${day}|${r.school_code}|${r.status}`
    byKey.set(key, (byKey.get(key) ?? 0) + 1)
  }
  const kept = await db.from('submission_day_counts').where('total', '!=', 0)
  return {
    real: [...byKey].map(([k, n]) => `${k}=${n}`).sort(),
    kept: kept
      .map((r) => `${r.tenant_id}|${r.form_key}|${r.day}|${r.school_code}|${r.status}=${Number(r.total)}`)
      .sort(),
  }
}

test.group('Back office: counts per status under dates, from the counters per day', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a range of Italian days is whole days on PostgreSQL; on SQLite the ends are parts of days where midnights differ', ({
    assert,
  }) => {
    const year = sendingRange({ from: null, to: null, schoolYear: '2025/2026' })
    assert.deepEqual(year, { lower: '2025-03-01', upper: '2026-03-01' })
    assert.deepEqual(sendingRange({ from: '2025-06-01', to: '2026-06-30', schoolYear: '2025/2026' }), {
      lower: '2025-06-01',
      upper: '2026-03-01',
    })
    assert.deepEqual(planDays(year, null), {
      days: { first: '2025-03-01', end: '2026-03-01' },
      edges: [],
      empty: false,
    })
    // Stored in UTC: Italian midnight is 23:00 (winter) the day before.
    const utc = (day: string) =>
      DateTime.fromISO(`${day}T00:00:00`, { zone: 'Europe/Rome' }).toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
    assert.deepEqual(planDays(year, utc), {
      days: { first: '2025-03-01', end: '2026-02-28' },
      edges: [
        ['2025-02-28 23:00:00', '2025-03-01 00:00:00'],
        ['2026-02-28 00:00:00', '2026-02-28 23:00:00'],
      ],
      empty: false,
    })
    // Stored in Italian time: whole days again.
    const italian = (day: string) => `${day} 00:00:00`
    assert.deepEqual(planDays(year, italian).edges, [])
    // One day: counted whole, no counter read.
    assert.deepEqual(planDays({ lower: '2025-03-01', upper: '2025-03-02' }, utc), {
      days: null,
      edges: [['2025-02-28 23:00:00', '2025-03-01 23:00:00']],
      empty: false,
    })
    assert.isTrue(planDays({ lower: '2026-03-01', upper: '2026-03-01' }, null).empty)
  })

  test('counts under dates, a school year and a school equal a real count, also around midnight and after changes', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const ids: number[] = []
    for (let n = 0; n < 7; n++) {
      const data = forChild(sample, n)
      if (n % 3 === 0) Object.assign(data, { school_id: 'pc-primaria-carducci', class_year: '1', section: 'A' })
      const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(citizen)
      sent.assertStatus(201)
      ids.push(sent.body().submission.id)
    }
    await jobQueue().drained()
    // Sent on days whose Italian and UTC dates differ, on both sides of the school year's ends.
    const times = [
      '2025-02-28T23:30:00',
      '2025-03-01T00:30:00',
      '2025-03-01T12:00:00',
      '2025-09-15T10:00:00',
      '2026-02-28T23:59:00',
      '2026-03-01T00:10:00',
      '2026-08-31T23:30:00',
    ]
    for (const [i, id] of ids.entries()) {
      await db
        .from('submissions')
        .where('id', id)
        .update({ submitted_at: stored(times[i]) })
    }
    const move = async (id: number, status: string, reason?: string) =>
      (await client.post(`${base}/submissions/${id}/status`).json({ status, reason }).loginAs(operator)).assertStatus(
        200
      )
    await move(ids[1], 'accepted')
    await move(ids[4], 'rejected', 'Fuori termine')
    await move(ids[6], 'needs_completion', 'Manca la sezione')

    const real = async (filters: Record<string, string>) => {
      const q = db.from('submissions').where('tenant_id', tenant.id).whereNot('status', 'draft')
      const { lower, upper } = sendingRange({
        from: filters.from ?? null,
        to: filters.to ?? null,
        schoolYear: filters.school_year ?? null,
      })
      if (lower) q.where('submitted_at', '>=', midnight(lower))
      if (upper) q.where('submitted_at', '<', midnight(upper))
      if (filters.school) q.where('school_code', filters.school)
      const rows = await q.select('status').count('* as n').groupBy('status')
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
    }
    const nonZero = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0))
    const cases: Array<Record<string, string>> = [
      { school_year: '2025/2026' },
      { school_year: '2024/2025' },
      { school_year: '2025/2026', school: 'pc-primaria-carducci' },
      { from: '2025-03-01', to: '2025-03-01' },
      { from: '2025-02-28' },
      { to: '2025-03-01' },
      { from: '2025-03-02', to: '2026-02-28' },
      { from: '2025-06-01', school_year: '2025/2026' },
      { from: '2026-03-01', to: '2026-08-31' },
    ]
    const check = async (step: string) => {
      const { real: rows, kept } = await dayCounters()
      assert.deepEqual(kept, rows, `counters per day after: ${step}`)
      for (const filters of cases) {
        const answer = await client.get(`${base}/inbox`).qs(filters).loginAs(operator)
        answer.assertStatus(200)
        assert.deepEqual(
          nonZero(answer.body().counts),
          await real(filters),
          `counts under ${JSON.stringify(filters)} after: ${step}`
        )
      }
    }
    await check('sent on the edges of the year and moved')
    // The year as a whole holds the applications from 1 March 2025 00:00 to 28 February 2026 23:59.
    const year = await client.get(`${base}/inbox`).qs({ school_year: '2025/2026' }).loginAs(operator)
    assert.equal(year.body().total, 4)

    // Moved to another day and another school by hand, and one deleted: the counters follow.
    await db
      .from('submissions')
      .where('id', ids[0])
      .update({ submitted_at: stored('2025-03-01T00:05:00'), school_code: null })
    await db.from('submissions').where('id', ids[2]).delete()
    await check('moved by hand and deleted')
  })
})
