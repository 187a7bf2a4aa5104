/*
 * Intake benchmark (the second half of `npm run bench`): N concurrent clients send real canteen
 * enrolments (refezione.iscrizione, POST .../submit, each client with its own uploaded identity
 * document) for M seconds, against the build (npm run build) on a throw-away PostgreSQL 15 and
 * Redis, in two layouts of the same machine:
 *   one process     PROCESS_ROLE=all: HTTP and the jobs (protocol, receipt PDF, mail) together
 *   two web + one worker   PROCESS_ROLE=web twice, the clients alternating between them, and
 *                          PROCESS_ROLE=worker running the jobs
 * It prints accepted submissions per second and the p50 and p99 latency of each. Without
 * PostgreSQL 15 (Debian's postgresql-15) or redis-server it says so and measures nothing.
 *
 *   BENCH_CLIENTS (16)  BENCH_SECONDS (20)  BENCH_WARMUP_SECONDS (3)
 *   PG_PORT (55432)  REDIS_PORT (56379)  BENCH_PORT (38100, and the next one)
 *   SPORTELLO_BUILD=skip   reuse build/ instead of building
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, chownSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { identityPdf, refezioneSample, REFEZIONE_FORM, SportelloSession, until } from './lib/sportello_client.mjs'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const PGBIN = '/usr/lib/postgresql/15/bin'
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20)
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
const PG_PORT = Number(process.env.PG_PORT ?? 55432)
const REDIS_PORT = Number(process.env.REDIS_PORT ?? 56379)
const PORT = Number(process.env.BENCH_PORT ?? 38100)
const say = (line) => process.stdout.write(`${line}\n`)

const missing = []
if (!existsSync(`${PGBIN}/initdb`)) missing.push('PostgreSQL 15 (apt-get install postgresql-15)')
if (spawnSync('redis-server', ['--version']).status !== 0) missing.push('Redis (apt-get install redis-server)')
say('')
say(`intake: refezione submissions, ${CLIENTS} clients for ${SECONDS} s, on the build, PostgreSQL 15 and Redis`)
if (missing.length) {
  say(`  SKIPPED: ${missing.join(' and ')} not installed here; install and run npm run bench again`)
  process.exit(0)
}

const work = mkdtempSync(join(tmpdir(), 'sportello-bench-'))
const root = process.getuid?.() === 0
const started = []
function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`)
  return result.stdout
}
const asPostgres = (command, args) =>
  root ? sh('runuser', ['-u', 'postgres', '--', command, ...args]) : sh(command, args)

function cleanup() {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL')
  spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'shutdown', 'nosave'])
  try {
    asPostgres(`${PGBIN}/pg_ctl`, ['-D', join(work, 'pg'), '-m', 'immediate', 'stop'])
  } catch {}
  rmSync(work, { recursive: true, force: true })
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))

if (process.env.SPORTELLO_BUILD !== 'skip') {
  say('  building (npm run build)...')
  sh('npm', ['run', 'build'], { cwd: ROOT })
}

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

const env = {
  ...process.env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  APP_KEY: randomBytes(32).toString('base64'),
  DATA_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  DB_CONNECTION: 'pg',
  PG_HOST: '127.0.0.1',
  PG_PORT: String(PG_PORT),
  PG_USER: 'postgres',
  PG_PASSWORD: '',
  REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}/0`,
  SESSION_DRIVER: 'redis',
  STORAGE_PATH: join(work, 'storage'),
  PORT: String(PORT),
}

/** A fresh database for a layout: created, migrated (the release step) and seeded with the demo. */
function freshDatabase(name) {
  sh(`${PGBIN}/createdb`, ['-h', '127.0.0.1', '-p', String(PG_PORT), '-U', 'postgres', name])
  const withDb = { ...env, PG_DB_NAME: name }
  sh('node', ['build/ace.js', 'migration:run', '--force'], { cwd: ROOT, env: withDb })
  sh('node', ['build/ace.js', 'demo:seed'], { cwd: ROOT, env: withDb })
  spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'flushall'])
  return withDb
}

function startProcess(entry, extra) {
  const child = spawn('node', [entry], { cwd: ROOT, env: { ...extra }, stdio: 'ignore' })
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

function percentile(sorted, p) {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** N clients, each logged in with its own document, sending enrolments round robin over the bases. */
async function load(bases) {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const base = bases[i % bases.length]
      const session = await new SportelloSession(base).login('cittadino@piacenza.demo')
      const data = await refezioneSample()
      data.identity_document = await session.upload(
        'piacenza',
        REFEZIONE_FORM,
        '/identity_document',
        `ci-${i}.pdf`,
        identityPdf(`bench ${i}`)
      )
      // Sessions are cookies every web process reads: a client can alternate between them.
      return { sessions: bases.map((b) => session.on(b)), data }
    })
  )
  const latencies = []
  let errors = 0
  let firstError = ''
  const warmEnd = Date.now() + WARMUP * 1000
  const end = warmEnd + SECONDS * 1000
  await Promise.all(
    clients.map(async (client, i) => {
      let n = i
      while (Date.now() < end) {
        const session = client.sessions[n++ % client.sessions.length]
        const t0 = performance.now()
        try {
          await session.submit('piacenza', REFEZIONE_FORM, client.data)
          if (Date.now() >= warmEnd) latencies.push(performance.now() - t0)
        } catch (error) {
          if (Date.now() >= warmEnd) errors++
          firstError ||= error.message
        }
      }
    })
  )
  latencies.sort((a, b) => a - b)
  return {
    rate: latencies.length / SECONDS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    firstError,
  }
}

function line(label, r) {
  const errors = r.errors ? `, ${r.errors} errors (first: ${r.firstError.slice(0, 160)})` : ''
  return `  ${label.padEnd(34)} ${r.rate.toFixed(1).padStart(7)} submits/s   p50 ${r.p50.toFixed(0).padStart(5)} ms   p99 ${r.p99.toFixed(0).padStart(5)} ms${errors}`
}

// One process doing everything.
const oneEnv = freshDatabase('bench_one')
const one = startProcess('build/server.js', { ...oneEnv, PROCESS_ROLE: 'all', PORT: String(PORT) })
const oneBase = `http://127.0.0.1:${PORT}`
await until('the single process to be ready', async () => (await fetch(`${oneBase}/ready`)).status === 200, 60000)
const single = await load([oneBase])
await stop([one])

// Two web processes and a worker.
const splitEnv = freshDatabase('bench_split')
const webs = [0, 1].map((i) =>
  startProcess('build/server.js', { ...splitEnv, PROCESS_ROLE: 'web', PORT: String(PORT + i) })
)
const worker = startProcess('build/worker.js', { ...splitEnv, PROCESS_ROLE: 'worker' })
const splitBases = [0, 1].map((i) => `http://127.0.0.1:${PORT + i}`)
for (const base of splitBases) {
  await until(`${base} to be ready`, async () => (await fetch(`${base}/ready`)).status === 200, 60000)
}
const split = await load(splitBases)
await stop([...webs, worker])

say(`  (${cpus().length} cores, shared with the clients; ${WARMUP} s warm-up not counted)`)
say(line('one process (all):', single))
say(line('two web processes + one worker:', split))
say(`  two web processes / one process:   ${(split.rate / single.rate).toFixed(2)}×`)
