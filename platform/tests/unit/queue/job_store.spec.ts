import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { JobStore } from '#queue/job_store'
import { queriesWhile, sqlitePlan } from '#tests/helpers/statements'

const NAMES = ['platform.receipt', 'platform.notice']

/** Rows of a queue of its own, written as the drivers write them. */
async function seed(
  queue: string,
  rows: Array<{ name?: string; status: string; runAt: number; lockedUntil?: number }>
) {
  const now = Date.now()
  await db.table('jobs').multiInsert(
    rows.map((row, i) => ({
      queue,
      key: `${row.status}-${i}-${randomUUID()}`,
      name: row.name ?? NAMES[0],
      payload: JSON.stringify({ i }),
      status: row.status,
      attempts: row.status === 'running' ? 1 : 0,
      run_at: row.runAt,
      locked_by: row.status === 'running' ? 'a-process-that-died' : null,
      locked_until: row.lockedUntil ?? null,
      finished_at: row.status === 'completed' ? now : null,
      enqueued_at: now,
    }))
  )
}

test.group('Queue: the jobs table (JobStore)', (group) => {
  let queue: string
  group.each.setup(() => {
    queue = `store-${randomUUID()}`
    return async () => void (await db.from('jobs').where('queue', queue).delete())
  })

  test('a claim takes the expired leases first, then the due waiting jobs in the order they fall due', async ({
    assert,
  }) => {
    const now = Date.now()
    await seed(queue, [
      { status: 'waiting', runAt: now - 1000 },
      { status: 'waiting', runAt: now - 5000 },
      { status: 'waiting', runAt: now + 60_000 },
      { status: 'waiting', runAt: now - 9000, name: 'another.process.job' },
      { status: 'running', runAt: now - 2000, lockedUntil: now - 10 },
      { status: 'running', runAt: now - 3000, lockedUntil: now + 60_000 },
      { status: 'completed', runAt: now - 9000 },
    ])
    const other = `store-${randomUUID()}`
    await seed(other, [{ status: 'waiting', runAt: now - 9000 }])
    const store = new JobStore(db, queue)
    try {
      // The expired lease, and of the waiting jobs the one due first; handed back in the order they fell due.
      const first = await store.claim(NAMES, 2, 30_000)
      assert.deepEqual(
        first.map((job) => job.runAt - now),
        [-5000, -2000]
      )
      assert.deepEqual(
        first.map((job) => job.attempts),
        [1, 2]
      )
      // One lease, one token, written on the rows.
      const rows = await db.from('jobs').where('queue', queue).where('locked_by', first[0].lockedBy)
      assert.lengthOf(rows, 2)
      assert.isTrue(rows.every((row) => row.status === 'running' && Number(row.locked_until) > now))

      const rest = await store.claim(NAMES, 5, 30_000)
      assert.deepEqual(
        rest.map((job) => job.runAt - now),
        [-1000]
      )
      // Nothing is due any more: the lease still held, the future job, another process's names and another queue stay.
      assert.deepEqual(await store.claim(NAMES, 5, 30_000), [])
      assert.equal(await store.nextRunAt(NAMES), now + 60_000)
      assert.equal((await db.from('jobs').where('queue', other).firstOrFail()).status, 'waiting')
    } finally {
      await db.from('jobs').where('queue', other).delete()
    }
  })

  test('claims and the relay read the jobs due, not every job the table keeps', async ({ assert }) => {
    const now = Date.now()
    // The retention period's finished jobs, and a backlog waiting.
    await seed(queue, [
      ...Array.from({ length: 200 }, (_, i) => ({ status: 'completed', runAt: now - 100_000 + i })),
      ...Array.from({ length: 50 }, (_, i) => ({ status: 'waiting', runAt: now - 1000 + i })),
      { status: 'running', runAt: now - 2000, lockedUntil: now - 10 },
    ])
    const store = new JobStore(db, queue)
    const seen = await queriesWhile(/[`"]jobs[`"]/, async () => {
      assert.lengthOf(await store.claim(NAMES, 3, 30_000), 3)
      assert.equal(await store.nextRunAt(NAMES), now - 1000 + 2)
      assert.lengthOf(await store.waiting(NAMES, 10), 10)
    })
    const searches = seen.filter((q) => /^(select|update)/i.test(q.sql))
    assert.isAtLeast(searches.length, 5, seen.map((q) => q.sql).join('\n'))
    // A search that reads the whole queue shows as a search on the queue alone, and one that sorts
    // what it read as a temporary B-tree.
    for (const search of searches) {
      const plan = await sqlitePlan(search)
      if (plan === null) return
      const where = `${search.sql}\n${plan}`
      assert.notInclude(plan, 'TEMP B-TREE', where)
      assert.notMatch(plan, /SCAN jobs|\(queue=\?\)/, where)
    }
  })
})
