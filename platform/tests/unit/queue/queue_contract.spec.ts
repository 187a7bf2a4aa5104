import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { InProcessQueue } from '#queue/in_process_driver'
import { BullMQQueue } from '#queue/bullmq_driver'
import type { JobQueue } from '#queue/types'
import { RequestContext } from '#services/infrastructure/request_context'

const quiet = { info() {}, error() {} }

type Timing = { leaseMs?: number; pollMs?: number }

/**
 * The same behaviour is required of both drivers. BullMQ runs against the
 * Redis named by REDIS_URL: `npm run test:full` starts one; `npm test`
 * (embedded defaults, no Redis) checks the in-process driver. Both keep their
 * jobs in the test database's `jobs` table, each test under a queue name of
 * its own; `make` with the same name is the same queue after a restart.
 */
const drivers: Array<{ name: string; make: (queue: string, timing?: Timing) => JobQueue }> = [
  { name: 'in-process', make: (queue, timing) => new InProcessQueue(quiet, { db, queue, ...timing }) },
]
if (process.env.REDIS_URL) {
  drivers.push({
    name: 'bullmq',
    make: (queue, timing) =>
      new BullMQQueue(process.env.REDIS_URL!, quiet, { db, queueName: queue, prefix: 'sportello-test', ...timing }),
  })
}

function until(predicate: () => boolean, timeoutMs = 5000) {
  const started = Date.now()
  return new Promise<void>((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve()
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'))
      setTimeout(tick, 20)
    }
    tick()
  })
}

for (const driver of drivers) {
  test.group(`Job queue (${driver.name})`, (group) => {
    let queue: JobQueue
    let name: string
    // Every queue a test made, closed after it (a restarted queue is a second one).
    let made: JobQueue[] = []
    const make = (timing?: Timing) => {
      const one = driver.make(name, timing)
      made.push(one)
      return one
    }
    group.each.setup(async () => {
      name = `test-${randomUUID()}`
      made = []
      queue = make()
      return async () => {
        for (const each of made) await each.close({ force: true })
        // A fresh handle on the queue (those above may be closed) removes its jobs from Redis.
        const cleaner = driver.make(name)
        if (cleaner instanceof BullMQQueue) await cleaner.obliterate()
        await cleaner.close()
      }
    })

    test('runs a job with its payload inside its tenant', async ({ assert }) => {
      const seen: Array<{ payload: unknown; tenant?: string; ctxTenant?: string; actor?: string }> = []
      queue.define<{ month: string }>('billing', {
        handle: (payload, ctx) =>
          void seen.push({
            payload,
            tenant: ctx.tenant?.slug,
            ctxTenant: RequestContext.tenant()?.slug,
            actor: RequestContext.actor()?.label,
          }),
      })
      await queue.start()
      await queue.enqueue('billing', { month: '2026-11' }, { tenant: { id: 7, slug: 'piacenza' } })
      await until(() => seen.length === 1)
      assert.deepEqual(seen[0], {
        payload: { month: '2026-11' },
        tenant: 'piacenza',
        ctxTenant: 'piacenza',
        actor: 'system:job:billing',
      })
    })

    test('enqueueing the same job identity again does nothing', async ({ assert }) => {
      let runs = 0
      queue.define('notice', { handle: () => void runs++ })
      await queue.start()
      const first = await queue.enqueue('notice', {}, { jobId: 'notice:piacenza:2026-11:42' })
      await until(() => runs === 1)
      const again = await queue.enqueue('notice', {}, { jobId: 'notice:piacenza:2026-11:42' })
      const other = await queue.enqueue('notice', {}, { jobId: 'notice:piacenza:2026-11:43' })
      await until(() => runs === 2)
      await queue.drained()
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.isFalse(first.duplicate)
      assert.isTrue(again.duplicate)
      assert.isFalse(other.duplicate)
      assert.equal(runs, 2)
    })

    test('a failing job is retried with growing delays until it succeeds', async ({ assert }) => {
      const attempts: Array<{ attempt: number; at: number }> = []
      queue.define('flaky', {
        attempts: 4,
        backoffMs: 50,
        handle: (_payload, ctx) => {
          attempts.push({ attempt: ctx.attempt, at: Date.now() })
          if (attempts.length < 3) throw new Error('registry not reachable')
        },
      })
      await queue.start()
      await queue.enqueue('flaky', {}, { jobId: 'flaky-1' })
      await until(() => attempts.length === 3)
      await queue.drained()
      assert.deepEqual(
        attempts.map((a) => a.attempt),
        [1, 2, 3]
      )
      const firstGap = attempts[1].at - attempts[0].at
      const secondGap = attempts[2].at - attempts[1].at
      assert.isAtLeast(firstGap, 45)
      assert.isAtLeast(secondGap, 95, 'the second delay doubles the first')
    })

    test('a job that keeps failing is given up after its attempts', async ({ assert }) => {
      let runs = 0
      queue.define('doomed', {
        attempts: 2,
        backoffMs: 10,
        handle: () => {
          runs++
          throw new Error('always')
        },
      })
      await queue.start()
      await queue.enqueue('doomed', {}, { jobId: 'doomed-1' })
      await until(() => runs === 2)
      await queue.drained()
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.equal(runs, 2)
    })

    test('a cron schedule runs the job at each match', async ({ assert }) => {
      let runs = 0
      queue.define('cutoff', { handle: () => void runs++ })
      await queue.start()
      // Six fields: every second, so the test needs no fake clock.
      await queue.schedule('cutoff', '* * * * * *')
      await until(() => runs >= 2, 6000)
      assert.isAtLeast(runs, 2)
    }).timeout(10000)

    test('waiting for the queue to drain does not wait for the next run of a schedule', async ({ assert }) => {
      let runs = 0
      queue.define('nightly', { handle: () => void runs++ })
      queue.define('now', { handle: () => void runs++ })
      await queue.start()
      await queue.schedule('nightly', '15 3 * * *', {}, { tz: 'Europe/Rome' })
      await queue.enqueue('now', {})
      await queue.drained()
      assert.equal(runs, 1)
    }).timeout(5000)

    test('a schedule whose next run is months away waits for it (beyond the longest timer)', async ({ assert }) => {
      // A date 60 days ahead: further than a timer can wait at once (2^31 ms, 24.8 days), as a monthly
      // run is from the 2nd of a month. Such a wait must not be cut to nothing and run at once.
      let runs = 0
      queue.define('far', { handle: () => void runs++ })
      await queue.start()
      const far = new Date(Date.now() + 60 * 24 * 3600 * 1000)
      await queue.schedule('far', `0 0 ${far.getUTCDate()} ${far.getUTCMonth() + 1} *`, {}, { tz: 'UTC' })
      await new Promise((resolve) => setTimeout(resolve, 500))
      await queue.drained()
      assert.equal(runs, 0)
      const written = await db.from('jobs').where('queue', name).where('name', 'far').count('* as n').first()
      assert.equal(Number(written.n), 0)
    }).timeout(5000)

    test('closing waits for the job that is running, and starts no other', async ({ assert }) => {
      const events: string[] = []
      queue.define('long', {
        handle: async (payload: { tag: string }) => {
          events.push(`start ${payload.tag}`)
          await new Promise((resolve) => setTimeout(resolve, 600))
          events.push(`done ${payload.tag}`)
        },
      })
      await queue.start()
      await queue.enqueue('long', { tag: 'a' }, { jobId: 'long-a' })
      // Due while the queue is closing: it must not start (BullMQ leaves it in Redis for another worker).
      await queue.enqueue('long', { tag: 'b' }, { jobId: 'long-b', delayMs: 300 })
      await until(() => events.length === 1)
      await queue.close()
      assert.deepEqual(events, ['start a', 'done a'])
      await new Promise((resolve) => setTimeout(resolve, 500))
      assert.deepEqual(events, ['start a', 'done a'])
    }).timeout(10000)

    test('an unknown job name is refused at once', async ({ assert }) => {
      await assert.rejects(() => queue.enqueue('nope', {}), /No job named "nope"/)
    })

    test('reports its health', async ({ assert }) => {
      const health = await queue.health()
      assert.equal(health.driver, driver.name)
      assert.isTrue(health.ok)
    })
    test('a job written in a transaction that rolls back never runs', async ({ assert }) => {
      let runs = 0
      queue.define('after-commit', { handle: () => void runs++ })
      await queue.start()
      await db
        .transaction(async (trx) => {
          await queue.enqueue('after-commit', {}, { jobId: 'rolled-back', client: trx })
          throw new Error('the change is refused')
        })
        .catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 500))
      await queue.drained()
      assert.equal(runs, 0)
      assert.isUndefined(await queue.state('rolled-back'))
    })

    test('a job written in a transaction runs once it commits, woken by the commit', async ({ assert }) => {
      // Polling once a minute: only the commit's wake-up can run it within the wait below.
      queue = make({ pollMs: 60_000 })
      const seen: string[] = []
      queue.define<{ n: number }>('after-commit', { handle: (payload) => void seen.push(`run ${payload.n}`) })
      await queue.start()
      await new Promise((resolve) => setTimeout(resolve, 100))
      await db.transaction(async (trx) => {
        await queue.enqueue('after-commit', { n: 1 }, { jobId: 'committed', client: trx })
        seen.push('enqueued')
        // Not before the commit: the transaction is still open.
        await new Promise((resolve) => setTimeout(resolve, 200))
        seen.push('committing')
      })
      await until(() => seen.length === 3, 4000)
      assert.deepEqual(seen, ['enqueued', 'committing', 'run 1'])
      // The job is marked completed a moment after its handler returns.
      await queue.drained()
      assert.equal(await queue.state('committed'), 'completed')
    })

    test('jobs written while no worker ran are run when one starts', async ({ assert }) => {
      let runs = 0
      queue.define('backlog', { handle: () => void runs++ })
      await queue.enqueue('backlog', {}, { jobId: 'backlog-1' })
      await queue.enqueue('backlog', {}, { jobId: 'backlog-2' })
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.equal(runs, 0, 'nothing runs before start')
      await queue.start()
      await until(() => runs === 2)
      assert.equal(runs, 2)
    })

    test('a job whose process died mid-run runs again after its lease', async ({ assert }) => {
      const runs: Array<{ runId: string; attempt: number }> = []
      let release: () => void = () => {}
      const first = make({ leaseMs: 1000, pollMs: 100 })
      first.define('long', {
        handle: (_payload, ctx) => {
          runs.push({ runId: ctx.runId, attempt: ctx.attempt })
          // The first run never ends by itself: its process is about to die.
          return new Promise<void>((resolve) => (release = resolve))
        },
      })
      await first.start()
      await first.enqueue('long', {}, { jobId: 'long-1' })
      await until(() => runs.length === 1)
      // As kill -9 would: no outcome is recorded, and the lease is no longer renewed.
      await first.close({ force: true })

      const second = make({ leaseMs: 1000, pollMs: 100 })
      second.define('long', {
        handle: (_payload, ctx) => void runs.push({ runId: ctx.runId, attempt: ctx.attempt }),
      })
      await second.start()
      await until(() => runs.length === 2, 15_000)
      await second.drained()
      release()
      assert.lengthOf(runs, 2)
      assert.notEqual(runs[0].runId, runs[1].runId, 'the second run is a new run')
      assert.equal(await second.state('long-1'), 'completed')
    }).timeout(20_000)

    test('enqueuing a key already known is a no-op after a restart', async ({ assert }) => {
      let runs = 0
      queue.define('notice', { handle: () => void runs++ })
      await queue.start()
      await queue.enqueue('notice', {}, { jobId: 'notice:piacenza:2026-11:42' })
      await until(() => runs === 1)
      await queue.drained()
      await queue.close()

      const restarted = make()
      restarted.define('notice', { handle: () => void runs++ })
      await restarted.start()
      const again = await restarted.enqueue('notice', {}, { jobId: 'notice:piacenza:2026-11:42' })
      await new Promise((resolve) => setTimeout(resolve, 300))
      await restarted.drained()
      assert.isTrue(again.duplicate)
      assert.equal(runs, 1)
    })
  })
}

/*
 * Any number of workers may register the same schedules (each does at boot): BullMQ keeps one
 * scheduler per id and gives each run an id of its own (the scheduler and the time), so a run
 * is taken by one worker only.
 */
if (process.env.REDIS_URL) {
  test.group('Job queue (bullmq): schedules across workers', () => {
    test('two workers registering the same schedule run each occurrence once', async ({ assert }) => {
      const name = `test-${randomUUID()}`
      const runs: Array<{ worker: string; id: string }> = []
      const workers = ['one', 'two'].map((worker) => {
        const queue = new BullMQQueue(process.env.REDIS_URL!, quiet, { db, queueName: name, prefix: 'sportello-test' })
        queue.define('tick', { handle: (_payload, ctx) => void runs.push({ worker, id: ctx.id }) })
        return queue
      })
      try {
        for (const queue of workers) await queue.start()
        // Both register it, as two worker processes booting together do; every second.
        await Promise.all(workers.map((queue) => queue.schedule('tick', '* * * * * *')))
        await until(() => runs.length >= 4, 10000)
        await new Promise((resolve) => setTimeout(resolve, 1500))
        const ids = runs.map((run) => run.id)
        assert.lengthOf(new Set(ids), ids.length, `an occurrence ran twice: ${ids.join(', ')}`)
        // One occurrence per second at most, whichever worker took it.
        const seconds = ids.map((id) => Math.floor(Number(id.split(':').at(-1)) / 1000))
        assert.lengthOf(new Set(seconds), seconds.length)
      } finally {
        await workers[0].obliterate()
        for (const queue of workers) await queue.close()
      }
    }).timeout(20000)
  })
}
