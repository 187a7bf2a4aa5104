import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { InProcessQueue } from '#queue/in_process_driver'
import { BullMQQueue } from '#queue/bullmq_driver'
import type { JobQueue } from '#queue/types'
import { RequestLoad } from '#services/infrastructure/request_load'
import { until } from '#tests/helpers/child_server'

const quiet = { info() {}, error() {} }

/** Waits (up to 5 s, looking every 10 ms) until `predicate` holds. */
const soon = (predicate: () => boolean) => until('the runner to get there', async () => predicate(), 5000, 10)

type Timing = { pollMs: number; maxHoldMs?: number }

/**
 * Both drivers, in a process that answers requests and runs jobs (the embedded layout, and
 * `PROCESS_ROLE=all`): the in-process runner claims no job while requests are in flight, BullMQ's
 * worker holds those it takes until the requests end (`RequestGate`). BullMQ runs against the Redis
 * of REDIS_URL (`npm run test:full`).
 */
const drivers: Array<{ name: string; make: (load: RequestLoad, timing: Timing) => JobQueue }> = [
  {
    name: 'in-process',
    make: (load, timing) =>
      new InProcessQueue(quiet, {
        db,
        queue: `test-${randomUUID()}`,
        pollMs: timing.pollMs,
        yieldTo: { load, maxHoldMs: timing.maxHoldMs },
      }),
  },
]
if (process.env.REDIS_URL) {
  drivers.push({
    name: 'bullmq',
    make: (load, timing) =>
      new BullMQQueue(process.env.REDIS_URL!, quiet, {
        db,
        queueName: `test-${randomUUID()}`,
        prefix: 'sportello-test',
        pollMs: timing.pollMs,
        yieldTo: { load, maxHoldMs: timing.maxHoldMs },
      }),
  })
}

/**
 * The runner shares its process with the HTTP server: while a request is in flight it starts no
 * job, and those due start when the last request ends; under a load that never stops, one at a
 * time after a while. Jobs that block until released show how many run at once.
 */
for (const driver of drivers) {
  test.group(`${driver.name} runner gives way to requests`, (group) => {
    let load: RequestLoad
    let running: number
    let most: number
    let releases: Array<() => void>
    let queues: JobQueue[]

    async function runner(timing: Timing) {
      const queue = driver.make(load, timing)
      queue.define('blocking', {
        handle: () =>
          new Promise<void>((resolve) => {
            running++
            most = Math.max(most, running)
            releases.push(() => {
              running--
              resolve()
            })
          }),
      })
      await queue.start()
      queues.push(queue)
      return queue
    }

    group.each.setup(async () => {
      load = new RequestLoad({ quietMs: 50 })
      running = 0
      most = 0
      releases = []
      queues = []
      return async () => {
        for (const release of releases) release()
        for (const queue of queues) {
          // BullMQ's jobs of the test are removed from Redis while the queue can still reach it.
          if (queue instanceof BullMQQueue) await queue.obliterate()
          await queue.close({ force: true })
        }
      }
    })

    test('no job starts while a request is in flight; all slots once the last one ends', async ({ assert }) => {
      // The requests first: a pass the runner began before them (at its start) may still claim.
      load.begin()
      load.begin()
      // A long poll: only a commit, a job's end or the last request's end may start a job.
      const queue = await runner({ pollMs: 60_000 })
      for (let i = 0; i < 6; i++) await queue.enqueue('blocking', { i })
      await new Promise((resolve) => setTimeout(resolve, 150))
      assert.equal(most, 0, 'nothing starts during the requests')
      load.end()
      await new Promise((resolve) => setTimeout(resolve, 150))
      assert.equal(most, 0, 'one request is still in flight')
      // The last request is answered: the runner fills its four slots at once, without waiting for its poll.
      load.end()
      await soon(() => running === 4)
      assert.equal(most, 4)
    })

    test('a job under way goes on when a request arrives; the next waits for it', async ({ assert }) => {
      const queue = await runner({ pollMs: 60_000 })
      await queue.enqueue('blocking', { i: 0 })
      await soon(() => running === 1)
      load.begin()
      await queue.enqueue('blocking', { i: 1 })
      releases.shift()!()
      await soon(() => running === 0)
      await new Promise((resolve) => setTimeout(resolve, 150))
      assert.equal(running, 0, 'the second job waits for the request')
      load.end()
      await soon(() => running === 1)
    })

    test('under a load that does not stop, jobs start again one at a time', async ({ assert }) => {
      load.begin()
      const queue = await runner({ pollMs: 50, maxHoldMs: 300 })
      for (let i = 0; i < 3; i++) await queue.enqueue('blocking', { i })
      await new Promise((resolve) => setTimeout(resolve, 150))
      assert.equal(most, 0, 'held at first')
      await soon(() => running === 1)
      await new Promise((resolve) => setTimeout(resolve, 150))
      assert.equal(most, 1, 'then one at a time')
      releases.shift()!()
      await soon(() => running === 1 && releases.length === 1)
      assert.equal(most, 1)
    })

    test('the wait counts from the job written, not from the start of the load', async ({ assert }) => {
      const queue = await runner({ pollMs: 50, maxHoldMs: 300 })
      load.begin()
      // A long load with nothing to run: it holds nothing back.
      await new Promise((resolve) => setTimeout(resolve, 400))
      await queue.enqueue('blocking', { i: 0 })
      await new Promise((resolve) => setTimeout(resolve, 150))
      assert.equal(most, 0, 'the job written during the load waits its own hold')
      await soon(() => running === 1)
    })

    test('without requests in flight, four at once as before', async ({ assert }) => {
      const queue = await runner({ pollMs: 60_000 })
      for (let i = 0; i < 6; i++) await queue.enqueue('blocking', { i })
      await soon(() => running === 4)
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(most, 4)
    })
  })
}

test.group('In-process runner and the request load', (group) => {
  let load: RequestLoad
  let queues: InProcessQueue[]

  group.each.setup(async () => {
    load = new RequestLoad({ quietMs: 50 })
    queues = []
    return async () => {
      for (const queue of queues) await queue.close({ force: true })
    }
  })

  test('a queue of jobs lets the event loop read its sockets between jobs', async ({ assert }) => {
    const queue = new InProcessQueue(quiet, { db, queue: `test-${randomUUID()}`, pollMs: 60_000 })
    queues.push(queue)
    let done = 0
    // Jobs with no I/O of their own: on SQLite their statements answer at once, so without a turn of
    // the loop the whole queue ran before a timer (or a socket) got its turn.
    queue.define('busy', {
      handle: () => {
        const end = Date.now() + 5
        while (Date.now() < end);
        done++
      },
    })
    for (let i = 0; i < 12; i++) await queue.enqueue('busy', { i })
    let doneAtTimer = -1
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        doneAtTimer = done
        resolve()
      }, 0)
    )
    await queue.start()
    await timer
    await soon(() => done === 12)
    assert.isBelow(doneAtTimer, 12, 'the timer ran before the queue was empty')
  })

  test('the load stays busy until no request has been in flight for its quiet time', async ({ assert }) => {
    let idle = 0
    const stop = load.onIdle(() => idle++)
    load.begin()
    load.begin()
    load.end()
    assert.isTrue(load.busy())
    load.end()
    assert.isTrue(load.busy(), 'the next request of a burst may not have been read yet')
    // Another request comes and goes within the quiet time: the quiet time starts again after it.
    await new Promise((resolve) => setTimeout(resolve, 30))
    load.begin()
    load.end()
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.isTrue(load.busy())
    assert.equal(idle, 0)
    await soon(() => idle === 1)
    assert.isFalse(load.busy())
    await new Promise((resolve) => setTimeout(resolve, 80))
    assert.equal(idle, 1, 'called once per quiet moment')
    stop()
    load.begin()
    load.end()
    await new Promise((resolve) => setTimeout(resolve, 80))
    assert.equal(idle, 1, 'a listener stopped is not called')
  })
})
