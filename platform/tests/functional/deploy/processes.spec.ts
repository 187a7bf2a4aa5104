import { test } from '@japa/runner'
import { request } from 'node:http'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { Queue } from 'bullmq'
import {
  assertCleanExit,
  freePort,
  killQuietly,
  PLATFORM_ROOT,
  productionEnv,
  startProcess,
  type Started,
} from '#tests/helpers/processes'
import { childDatabase } from '#tests/helpers/child_server'

/*
 * The long-running processes as production runs them: a role named by PROCESS_ROLE, no
 * migration at boot, /health and /ready, and SIGTERM finishing what is in flight before
 * exiting with code 0. The worker tests need Redis (npm run test:full).
 */
const TMP = join(PLATFORM_ROOT, 'tmp', 'process-tests')

async function getJson(port: number, path: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`)
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** Whether a new TCP connection to the port is accepted now. */
function accepts(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** The database this test run migrated (SQLite, or PostgreSQL under test:full), for a process that needs tables. */
function testDatabase(): Record<string, string> {
  const names = ['DB_CONNECTION', 'SQLITE_PATH', 'PG_HOST', 'PG_PORT', 'PG_USER', 'PG_PASSWORD', 'PG_DB_NAME']
  return Object.fromEntries(names.filter((n) => process.env[n] !== undefined).map((n) => [n, process.env[n]!]))
}

/** Until the process has finished starting (the HTTP server listens a moment before). */
async function untilStarted(port: number) {
  const deadline = Date.now() + 30000
  for (;;) {
    const { body } = await getJson(port, '/ready')
    if (!body.errors.some((e: { rule: string }) => e.rule === 'ready:starting')) return
    if (Date.now() > deadline) throw new Error('the process did not finish starting in 30 s')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * The processes of these tests run on an SQLite file of their own, or on no reachable database,
 * whatever the suite uses: `npm test` runs them, `npm run test:full` leaves them out.
 */
const EMBEDDED = ['@embedded']

test.group('Process roles: web and all', (group) => {
  let started: Started | undefined
  group.setup(async () => {
    await mkdir(TMP, { recursive: true })
  })
  group.each.teardown(() => killQuietly(started))

  test('production names PROCESS_ROLE when it is missing, and refuses an unknown one', async ({ assert }) => {
    started = startProcess('bin/server.ts', productionEnv({}))
    const missing = await started.exited
    assert.equal(missing.code, 1)
    assert.include(started.output(), 'PROCESS_ROLE must be set in production')

    started = startProcess('bin/server.ts', productionEnv({ PROCESS_ROLE: 'scheduler' }))
    const wrong = await started.exited
    assert.equal(wrong.code, 1)
    assert.include(started.output(), 'PROCESS_ROLE must be "web", "worker" or "all", got "scheduler"')
  })
    .timeout(90000)
    .tags(EMBEDDED)

  test('a web process without Redis stops at boot: the jobs it writes would reach no worker', async ({ assert }) => {
    const port = await freePort()
    started = startProcess('bin/server.ts', productionEnv({ PROCESS_ROLE: 'web', PORT: String(port) }))
    const exit = await started.exited
    assert.equal(exit.code, 1)
    assert.include(started.output(), 'PROCESS_ROLE=web needs a queue shared between processes: set REDIS_URL')
  })
    .timeout(90000)
    .tags(EMBEDDED)

  test('boot migrates nothing: /health is up, /ready is 503 naming the pending migrations', async ({ assert }) => {
    const port = await freePort()
    const file = join(TMP, `fresh-${randomUUID()}.sqlite3`)
    started = startProcess(
      'bin/server.ts',
      productionEnv({ PROCESS_ROLE: 'all', PORT: String(port), SQLITE_PATH: file })
    )
    await started.waitFor('started HTTP server')

    const health = await getJson(port, '/health')
    assert.equal(health.status, 200)
    assert.deepEqual(health.body, { status: 'ok', role: 'all' })

    const ready = await getJson(port, '/ready')
    assert.equal(ready.status, 503)
    assert.isTrue(ready.body.checks.database.ok)
    assert.isFalse(ready.body.checks.migrations.ok)
    assert.include(ready.body.checks.migrations.pending, 'database/migrations/0001_create_tenants_and_users')
    const error = ready.body.errors.find((e: { rule: string }) => e.rule === 'ready:migrations')
    assert.include(error.message, 'node ace.js migration:run --force')

    started.child.kill('SIGTERM')
    await assertCleanExit(started)
    await rm(file, { force: true })
  })
    .timeout(90000)
    .tags(EMBEDDED)

  test('/ready is 503 naming the database when it cannot be reached', async ({ assert }) => {
    const port = await freePort()
    const closed = await freePort()
    started = startProcess(
      'bin/server.ts',
      productionEnv({
        PROCESS_ROLE: 'all',
        PORT: String(port),
        DB_CONNECTION: 'pg',
        PG_HOST: '127.0.0.1',
        PG_PORT: String(closed),
        PG_USER: 'nobody',
        PG_PASSWORD: 'x',
        PG_DB_NAME: 'nothing',
      })
    )
    await started.waitFor('started HTTP server')
    assert.equal((await getJson(port, '/health')).status, 200)
    const ready = await getJson(port, '/ready')
    assert.equal(ready.status, 503)
    assert.isFalse(ready.body.checks.database.ok)
    const error = ready.body.errors.find((e: { rule: string }) => e.rule === 'ready:database')
    assert.match(error.message, /^Database unreachable: .*ECONNREFUSED/)
  })
    .timeout(90000)
    .tags(EMBEDDED)

  test('SIGTERM: no new connection is taken, the request in flight is answered, exit code 0', async ({ assert }) => {
    const port = await freePort()
    started = startProcess(
      'bin/server.ts',
      productionEnv({ PROCESS_ROLE: 'all', PORT: String(port), ...testDatabase() })
    )
    await started.waitFor('started HTTP server')
    await untilStarted(port)
    const body = JSON.stringify({ email: 'nobody@example.org', password: 'wrong-password' })
    const half = Math.floor(body.length / 2)
    // A login whose body arrives in two parts, with the SIGTERM in between.
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    })
    const answer = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode!))
      })
      req.on('error', reject)
    })
    req.write(body.slice(0, half))
    await new Promise((resolve) => setTimeout(resolve, 300))
    started.child.kill('SIGTERM')
    // The server soon takes no new connection, yet the request it holds is still being read.
    const deadline = Date.now() + 10000
    while ((await accepts(port)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
    assert.isFalse(await accepts(port))
    req.end(body.slice(half))
    const status = await answer
    // Refused credentials: an answer from the application, not a reset connection.
    assert.include([400, 401, 422], status)
    await assertCleanExit(started)
  }).timeout(90000)
})

// Workers take jobs from Redis: `npm test` has none, `npm run test:full` starts one.
if (process.env.REDIS_URL) workerTests(process.env.REDIS_URL)

function workerTests(redisUrl: string) {
  /** A BullMQ queue of the workers' name and prefix, adding jobs as the platform's relay does. */
  function bullProducer(url: string, keyPrefix: string, tenant: { id: number; slug: string }) {
    const parsed = new URL(url)
    const queue = new Queue('sportello', {
      prefix: keyPrefix,
      connection: {
        host: parsed.hostname,
        port: Number(parsed.port || 6379),
        db: Number(parsed.pathname.slice(1) || 0),
      },
    })
    return {
      queue,
      // A plugin's job runs for one tenant: the envelope names it, as the platform's enqueue does.
      enqueue: (name: string, payload: unknown, options: { jobId: string }) =>
        queue.add(name, { payload, tenant }, { jobId: options.jobId, attempts: 3 }),
      state: async (jobId: string) => (await queue.getJob(jobId))?.getState(),
    }
  }

  test.group('Process roles: workers (BullMQ)', (group) => {
    const workers: Started[] = []
    // Jobs go straight into BullMQ here, as the workers' relay would put them: the workers run on a
    // database of their own, and what is under test is how a worker process ends, not the outbox.
    let producer: ReturnType<typeof bullProducer> | undefined
    let prefix = ''
    let log = ''
    // The workers' own database (one SQLite file they share), migrated, with the tenant the jobs run for.
    const sqlite = `tmp/process-tests/workers-${randomUUID()}.sqlite3`
    let tenant = { id: 0, slug: 'comune-dei-processi' }

    group.setup(async () => {
      await mkdir(TMP, { recursive: true })
      const database = childDatabase('process-workers', { sqlite })
      try {
        await database.migrate()
        const [id] = await database.connection
          .table('tenants')
          .insert({
            slug: tenant.slug,
            name: 'Comune dei processi',
            fiscal_code: '00000000000',
            settings: '{}',
            created_at: new Date().toISOString().replace('T', ' ').slice(0, 19),
          })
          .returning('id')
        tenant = { ...tenant, id: typeof id === 'object' ? (id as { id: number }).id : Number(id) }
      } finally {
        await database.release()
      }
      return () => rm(join(PLATFORM_ROOT, sqlite), { force: true })
    })

    group.each.setup(async () => {
      prefix = `sportello-process-test-${randomUUID()}`
      log = join(TMP, `jobs-${randomUUID()}.log`)
      await writeFile(log, '')
      producer = bullProducer(redisUrl, prefix, tenant)
    })
    group.each.teardown(async () => {
      for (const worker of workers.splice(0)) killQuietly(worker)
      await producer?.queue.obliterate({ force: true })
      await producer?.queue.close()
    })

    function startWorker(extra: Record<string, string> = {}) {
      const started = startProcess(
        'bin/worker.ts',
        productionEnv({
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: prefix,
          PLUGINS_DIR: join(PLATFORM_ROOT, 'tests', 'fixtures', 'slow_plugins'),
          SQLITE_PATH: sqlite,
          ...extra,
        })
      )
      workers.push(started)
      return started
    }

    const lines = async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean)

    async function untilLine(pattern: RegExp, timeoutMs = 60000) {
      const started = Date.now()
      for (;;) {
        const found = (await lines()).find((line) => pattern.test(line))
        if (found) return found
        if (Date.now() - started > timeoutMs)
          throw new Error(`no job log line ${pattern} in:\n${await readFile(log, 'utf8')}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }

    test('SIGTERM mid-job: the job finishes before the worker exits with code 0', async ({ assert }) => {
      const one = startWorker()
      await one.waitFor('started worker')
      await producer!.enqueue('slow.nap', { log, ms: 1500, tag: 'a' }, { jobId: 'nap-a' })
      await untilLine(/^start a /)
      one.child.kill('SIGTERM')
      await assertCleanExit(one)
      assert.deepEqual(await lines(), [`start a ${one.child.pid}`, `done a ${one.child.pid}`])
      assert.equal(await producer!.state('nap-a'), 'completed')
    }).timeout(120000)

    test('a promise a job left rejected is logged; the worker goes on and still exits with code 0', async ({
      assert,
    }) => {
      const one = startWorker()
      await one.waitFor('started worker')
      await producer!.enqueue('slow.stray', { log, tag: 's' }, { jobId: 'stray-s' })
      await untilLine(/^stray s /)
      await producer!.enqueue('slow.nap', { log, ms: 10, tag: 'after' }, { jobId: 'nap-after' })
      await untilLine(/^done after /)
      await one.waitFor('a promise nobody awaited')
      one.child.kill('SIGTERM')
      await assertCleanExit(one)
      assert.deepEqual(await lines(), [
        `stray s ${one.child.pid}`,
        `start after ${one.child.pid}`,
        `done after ${one.child.pid}`,
      ])
    }).timeout(120000)

    test('SIGKILL mid-job: another worker takes the job over and finishes it once', async ({ assert }) => {
      const one = startWorker({ QUEUE_LEASE_MS: '1500' })
      await one.waitFor('started worker')
      await producer!.enqueue('slow.nap', { log, ms: 3000, tag: 'b' }, { jobId: 'nap-b' })
      await untilLine(/^start b /)
      one.child.kill('SIGKILL')
      await one.exited
      const two = startWorker({ QUEUE_LEASE_MS: '1500' })
      await untilLine(new RegExp(`^done b ${two.child.pid}$`), 90000)
      await two.waitFor('back in the queue for another try')
      assert.deepEqual(await lines(), [
        `start b ${one.child.pid}`,
        `start b ${two.child.pid}`,
        `done b ${two.child.pid}`,
      ])
      assert.equal(await producer!.state('nap-b'), 'completed')
      two.child.kill('SIGTERM')
      await assertCleanExit(two)
    }).timeout(180000)
  })
}
