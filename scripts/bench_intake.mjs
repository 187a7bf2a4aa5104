/*
 * Intake benchmark (the second half of `npm run bench`): canteen enrolments (refezione.iscrizione)
 * against the production build (npm run build), beside GET /health in the same run, so that the
 * figures of a busy machine can still be compared through their ratio to /health:
 *
 *   /health            the cheapest answer the server gives (no I/O)
 *   validation only    POST .../forms/refezione.iscrizione/check: window, JSON Schema, BLOCCO rules,
 *                      school catalog, duplicate check and documents, as a sending, storing nothing
 *   real submit        POST .../forms/refezione.iscrizione/submit: the same, then the submission, its
 *                      history, its audit rows and its job in one transaction (201)
 *
 * On SQLite (the embedded layout: one process, PROCESS_ROLE=all, the jobs that protocol and
 * receipt each submission running in it) and on PostgreSQL 15 + Redis (one process, then two web
 * processes and a worker). Every request names another child, so no submission is refused as a
 * second application. Each phase is measured with autocannon after a warm-up that is not counted;
 * besides requests per second and p50/p99 it prints the server's CPU time per request (from
 * /proc), which a machine shared with other work disturbs less than the rate.
 * After the real submits it waits until no accepted submission is left unprotocolled and prints
 * how long that took after the last answer, with the CPU per accepted submission counted from the
 * start of the measure to that moment: its jobs included even when they run after the burst (a worker that
 * lags behind the web processes shows its share of the CPU in the window, not its cost per job).
 * Without PostgreSQL 15 (Debian's postgresql-15) or redis-server the PostgreSQL part says so and
 * is skipped; the SQLite part always runs.
 *
 *   BENCH_CONNECTIONS (10)  BENCH_SECONDS (10)  BENCH_WARMUP_SECONDS (3)  BENCH_SUBMIT_WARMUP_SECONDS (10)
 *   PG_PORT (55432)  REDIS_PORT (56379)  BENCH_PORT (38100, and the next one)
 *   BENCH_DATABASES (sqlite,pg)   SPORTELLO_BUILD=skip   reuse build/ instead of building
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, chownSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import {
  childFiscalCode,
  identityPdf,
  refezioneSample,
  REFEZIONE_FORM,
  SportelloSession,
  until,
} from './lib/sportello_client.mjs'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const PGBIN = '/usr/lib/postgresql/15/bin'
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
const SUBMIT_WARMUP = Number(process.env.BENCH_SUBMIT_WARMUP_SECONDS ?? 10)
const PG_PORT = Number(process.env.PG_PORT ?? 55432)
const REDIS_PORT = Number(process.env.REDIS_PORT ?? 56379)
const PORT = Number(process.env.BENCH_PORT ?? 38100)
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,pg').split(',').map((d) => d.trim())
const say = (line) => process.stdout.write(`${line}\n`)

const work = mkdtempSync(join(tmpdir(), 'sportello-bench-'))
const root = process.getuid?.() === 0
const started = []
let postgresStarted = false
let redisStarted = false

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`)
  return result.stdout
}
const asPostgres = (command, args) =>
  root ? sh('runuser', ['-u', 'postgres', '--', command, ...args]) : sh(command, args)

function cleanup() {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL')
  if (redisStarted) spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'shutdown', 'nosave'])
  if (postgresStarted) {
    try {
      asPostgres(`${PGBIN}/pg_ctl`, ['-D', join(work, 'pg'), '-m', 'immediate', 'stop'])
    } catch {}
  }
  rmSync(work, { recursive: true, force: true })
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))

const base = {
  ...process.env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  PORT: String(PORT),
  APP_KEY: randomBytes(32).toString('base64'),
  DATA_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  MAIL_CAPTURE_PORT: '0',
  DOCAREA_SIMULATOR_PORT: '0',
  GPD_SIMULATOR_PORT: '0',
  SMS_SIMULATOR_PORT: '0',
  IO_SIMULATOR_PORT: '0',
}

/** A fresh database: migrated (the release step) and seeded with the demo. */
function prepare(env) {
  sh('node', ['build/ace.js', 'migration:run', '--force'], { cwd: ROOT, env })
  sh('node', ['build/ace.js', 'demo:seed'], { cwd: ROOT, env })
  return env
}

function sqliteEnv(name) {
  return prepare({
    ...base,
    DB_CONNECTION: 'sqlite',
    SQLITE_PATH: join(work, `${name}.sqlite3`),
    STORAGE_PATH: join(work, `storage-${name}`),
    SESSION_DRIVER: 'database',
  })
}

function startPostgresAndRedis() {
  if (root) chownSync(work, Number(sh('id', ['-u', 'postgres']).trim()), Number(sh('id', ['-g', 'postgres']).trim()))
  asPostgres(`${PGBIN}/initdb`, ['-D', join(work, 'pg'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8'])
  asPostgres(`${PGBIN}/pg_ctl`, [
    '-D',
    join(work, 'pg'),
    '-l',
    join(work, 'pg.log'),
    '-w',
    '-o',
    `-p ${PG_PORT} -k ${work} -c listen_addresses=127.0.0.1`,
    'start',
  ])
  postgresStarted = true
  sh('redis-server', [
    '--port',
    String(REDIS_PORT),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
  ])
  redisStarted = true
}

function pgEnv(name) {
  sh(`${PGBIN}/createdb`, ['-h', '127.0.0.1', '-p', String(PG_PORT), '-U', 'postgres', name])
  spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'flushall'])
  return prepare({
    ...base,
    DB_CONNECTION: 'pg',
    PG_HOST: '127.0.0.1',
    PG_PORT: String(PG_PORT),
    PG_USER: 'postgres',
    PG_PASSWORD: '',
    PG_DB_NAME: name,
    REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}/0`,
    SESSION_DRIVER: 'redis',
    STORAGE_PATH: join(work, `storage-${name}`),
  })
}

function startProcess(entry, env) {
  const child = spawn('node', [entry], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)))
  child.lastError = () => stderr
  started.push(child)
  return child
}

async function stop(children) {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    })
  )
}

/** CPU time (user + system) a process has used, in ms; null where /proc is not there. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return null
  }
}

/** A logged-in citizen with an uploaded identity document, and a source of enrolments for new children. */
async function citizen(url) {
  const cookies = new Map()
  const session = await new SportelloSession(url, cookies).login('cittadino@piacenza.demo')
  const data = await refezioneSample()
  data.identity_document = await session.upload(
    'piacenza',
    REFEZIONE_FORM,
    '/identity_document',
    'ci.pdf',
    identityPdf('bench')
  )
  return { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), data }
}

let children = Math.floor(Math.random() * 1e6) * 100
/** One phase: `connections` clients for `seconds`, spread over the processes at `urls`. */
async function measure(urls, phase, who, seconds, pids) {
  const path = `/api/v1/t/piacenza/forms/${REFEZIONE_FORM}/${phase}`
  const request =
    phase === 'health'
      ? { method: 'GET', path: '/health' }
      : {
          method: 'POST',
          path,
          headers: { 'cookie': who.cookie, 'content-type': 'application/json', 'accept': 'application/json' },
          setupRequest: (req) => {
            who.data.student.fiscal_code = childFiscalCode(children++)
            return { ...req, body: JSON.stringify({ data: who.data }) }
          },
        }
  const before = pids.map(cpuMs)
  const runs = await Promise.all(
    urls.map((url, i) =>
      autocannon({
        url,
        connections: Math.max(1, Math.floor(CONNECTIONS / urls.length) + (i < CONNECTIONS % urls.length ? 1 : 0)),
        duration: seconds,
        requests: [request],
        timeout: 30,
      })
    )
  )
  const after = pids.map(cpuMs)
  const total = runs.reduce((n, r) => n + r.requests.total, 0)
  const ok = runs.reduce((n, r) => n + r['2xx'], 0)
  const cpu = before.every((v) => v !== null) ? after.reduce((s, v, i) => s + v - before[i], 0) : null
  const codes = {}
  for (const r of runs)
    for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) codes[code] = (codes[code] ?? 0) + count
  return {
    accepted: ok,
    rate: ok / seconds,
    // With several processes, the mean of their percentiles (each autocannon run measures one).
    p50: runs.reduce((s, r) => s + r.latency.p50, 0) / runs.length,
    p99: runs.reduce((s, r) => s + r.latency.p99, 0) / runs.length,
    failed: total - ok + runs.reduce((n, r) => n + r.errors, 0),
    codes,
    cpuPerRequest: cpu !== null && total ? cpu / total : null,
    // Each process's share, in the order of `pids` (the worker's is the follow-up work of the submits).
    cpuPerProcess: cpu !== null && total ? after.map((v, i) => (v - before[i]) / total) : null,
  }
}

/**
 * Warm-up, then health, validation only and real submits, on the processes at `urls`; with
 * `unprotocolled` (how many accepted submissions still wait for their protocol number), the
 * submits' follow-up is waited for too (`drainAfterSubmits`).
 *
 * Real submits warm up longer (SUBMIT_WARMUP), and their warm-up's follow-up (its protocol numbers
 * and receipts) is done before the measure starts: V8 takes about two thousand sendings to compile
 * the sending's path, and with three seconds of warm-up the measure counted that compilation (its
 * first seconds cost up to twice its last). A server that has run for a while is past it. The
 * measure then sees its own burst only, as before: its jobs wait behind its requests, and the
 * follow-up's CPU per submission counts from its start.
 */
async function layout(urls, pids, phases = ['health', 'check', 'submit'], unprotocolled) {
  const who = await citizen(urls[0])
  const results = {}
  for (const phase of phases) {
    const warmup = phase === 'submit' ? SUBMIT_WARMUP : WARMUP
    if (warmup > 0) await measure(urls, phase, who, warmup, pids)
    if (phase === 'submit' && unprotocolled) await drainAfterSubmits(pids, pids.map(cpuMs), 1, unprotocolled)
    const start = phase === 'submit' && unprotocolled ? pids.map(cpuMs) : null
    results[phase] = await measure(urls, phase, who, SECONDS, pids)
    if (start) results.drain = await drainAfterSubmits(pids, start, results[phase].accepted, unprotocolled)
  }
  return results
}

/**
 * Waits until every accepted submission is protocolled (its receipt job has run: the number, then
 * the receipt and its email in the same job), up to 10 minutes. Answers the time that took after
 * the last answer and the CPU per accepted submission from `start` to then.
 */
async function drainAfterSubmits(pids, start, accepted, unprotocolled) {
  const since = Date.now()
  let left = await unprotocolled()
  while (left > 0 && Date.now() - since < 600_000) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    left = await unprotocolled()
  }
  const after = pids.map(cpuMs)
  const perProcess = start.every((v) => v !== null) ? after.map((v, i) => (v - start[i]) / accepted) : null
  return {
    seconds: (Date.now() - since) / 1000,
    left,
    accepted,
    cpuPerSubmission: perProcess ? perProcess.reduce((a, b) => a + b, 0) : null,
    cpuPerProcess: perProcess,
  }
}

const UNPROTOCOLLED = "select count(*) as n from submissions where status = 'submitted'"

function sqliteUnprotocolled(file) {
  return async () => {
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      db.pragma('busy_timeout = 5000')
      return db.prepare(UNPROTOCOLLED).get().n
    } finally {
      db.close()
    }
  }
}

function pgUnprotocolled(name) {
  return async () =>
    Number(
      sh(`${PGBIN}/psql`, [
        '-h',
        '127.0.0.1',
        '-p',
        String(PG_PORT),
        '-U',
        'postgres',
        '-d',
        name,
        '-tAc',
        UNPROTOCOLLED,
      ]).trim()
    )
}

function line(label, r, health) {
  if (!r.rate)
    return `    ${label.padEnd(18)} none answered within the ${SECONDS} s (machine too busy? try a longer BENCH_SECONDS)${r.failed ? `, ${r.failed} failed ${JSON.stringify(r.codes)}` : ''}`
  const ratio =
    health && r !== health
      ? `   ${(r.rate / health.rate).toFixed(3)} of /health (1:${(health.rate / r.rate).toFixed(0)})`
      : ''
  const cpu = r.cpuPerRequest !== null ? `   cpu ${r.cpuPerRequest.toFixed(2).padStart(6)} ms/req` : ''
  const failed = r.failed ? `   ${r.failed} failed ${JSON.stringify(r.codes)}` : ''
  return `    ${label.padEnd(18)} ${r.rate.toFixed(1).padStart(8)} req/s   p50 ${r.p50.toFixed(0).padStart(5)} ms   p99 ${r.p99.toFixed(0).padStart(5)} ms${cpu}${ratio}${failed}`
}

function report(title, results) {
  say(`  ${title}`)
  if (results.health) say(line('/health', results.health))
  if (results.check) say(line('validation only', results.check, results.health))
  if (results.submit) say(line('real submit', results.submit, results.health))
  const drain = results.drain
  if (drain) {
    const cpu =
      drain.cpuPerSubmission !== null
        ? `; cpu ${drain.cpuPerSubmission.toFixed(2)} ms per accepted submission, jobs included`
        : ''
    say(
      drain.left > 0
        ? `    follow-up          ${drain.left} of ${drain.accepted} accepted submissions still not protocolled ${drain.seconds.toFixed(0)} s after the last answer`
        : `    follow-up          all ${drain.accepted} accepted submissions protocolled and receipted ${drain.seconds.toFixed(1)} s after the last answer${cpu}`
    )
  }
}

async function ready(urls, children, timeout = 90000) {
  for (const url of urls) {
    await until(
      `${url} to be ready`,
      async () => {
        const dead = children.find((c) => c.exitCode !== null)
        if (dead) throw new Error(`a process exited: ${dead.lastError()}`)
        return (await fetch(`${url}/ready`)).status === 200
      },
      timeout
    ).catch((error) => {
      const dead = children.find((c) => c.exitCode !== null)
      throw dead ? new Error(`a process exited: ${dead.lastError()}`) : error
    })
  }
}

say('')
say(
  `intake: refezione enrolments, ${CONNECTIONS} connections, ${SECONDS} s per phase after ${WARMUP} s of warm-up (${SUBMIT_WARMUP} s for real submits, their follow-up done before the measure), on the build`
)
say(`  (${cpus().length} cores, shared with the load generator; every request names a new child)`)

if (process.env.SPORTELLO_BUILD !== 'skip') {
  say('  building (npm run build)...')
  sh('npm', ['run', 'build'], { cwd: ROOT })
}

const url = (i = 0) => `http://127.0.0.1:${PORT + i}`

if (DATABASES.includes('sqlite')) {
  const env = sqliteEnv('bench_sqlite')
  const one = startProcess('build/server.js', { ...env, PROCESS_ROLE: 'all', PORT: String(PORT) })
  await ready([url()], [one])
  const results = await layout([url()], [one.pid], undefined, sqliteUnprotocolled(env.SQLITE_PATH))
  await stop([one])
  report('SQLite, one process (PROCESS_ROLE=all, the jobs in it):', results)
}

if (DATABASES.includes('pg')) {
  const missing = []
  if (!existsSync(`${PGBIN}/initdb`)) missing.push('PostgreSQL 15 (apt-get install postgresql-15)')
  if (spawnSync('redis-server', ['--version']).status !== 0) missing.push('Redis (apt-get install redis-server)')
  if (missing.length) {
    say(`  PostgreSQL: SKIPPED, ${missing.join(' and ')} not installed here; install and run npm run bench again`)
  } else {
    startPostgresAndRedis()
    const oneEnv = pgEnv('bench_one')
    const one = startProcess('build/server.js', { ...oneEnv, PROCESS_ROLE: 'all', PORT: String(PORT) })
    await ready([url()], [one])
    const single = await layout([url()], [one.pid], undefined, pgUnprotocolled('bench_one'))
    await stop([one])
    report('PostgreSQL + Redis, one process (PROCESS_ROLE=all):', single)

    const splitEnv = pgEnv('bench_split')
    const webs = [0, 1].map((i) =>
      startProcess('build/server.js', { ...splitEnv, PROCESS_ROLE: 'web', PORT: String(PORT + i) })
    )
    const worker = startProcess('build/worker.js', { ...splitEnv, PROCESS_ROLE: 'worker' })
    await ready([url(0), url(1)], [...webs, worker])
    const split = await layout(
      [url(0), url(1)],
      [...webs.map((w) => w.pid), worker.pid],
      ['health', 'submit'],
      pgUnprotocolled('bench_split')
    )
    await stop([...webs, worker])
    report('PostgreSQL + Redis, two web processes + one worker (cpu: all three):', split)
    const shares = split.submit.cpuPerProcess
    if (shares) {
      say(
        `    real submit cpu per request: web processes ${(shares[0] + shares[1]).toFixed(2)} ms (the intake), worker ${shares[2].toFixed(2)} ms (protocol, receipt PDF, mail)`
      )
    }
    const drained = split.drain?.cpuPerProcess
    if (drained && !split.drain.left) {
      say(
        `    from the warm-up until all protocolled, cpu per accepted submission: web processes ${(drained[0] + drained[1]).toFixed(2)} ms, worker ${drained[2].toFixed(2)} ms`
      )
    }
    say(`    two web processes / one process, real submits: ${(split.submit.rate / single.submit.rate).toFixed(2)}×`)
  }
}
