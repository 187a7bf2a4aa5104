/*
 * Inbox benchmark (the last part of `npm run bench`): the back office's inbox query on 100k
 * refezione submissions, on SQLite and on PostgreSQL 15 (a throw-away cluster on PG_PORT, 55432),
 * each a new database migrated here. `node platform/ace.js bench:inbox` loads the submissions and
 * times a first page and a page 90% deep, with and without filters, and a search (target: under
 * 100 ms each on PostgreSQL). Without PostgreSQL 15 (Debian's postgresql-15) that part says so.
 *
 *   BENCH_INBOX_COUNT (100000)  BENCH_INBOX_RUNS (30)  BENCH_DATABASES (sqlite,pg)  PG_PORT (55432)
 */
import { spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const PGBIN = '/usr/lib/postgresql/15/bin'
const PG_PORT = Number(process.env.PG_PORT ?? 55432)
const COUNT = process.env.BENCH_INBOX_COUNT ?? '100000'
const RUNS = process.env.BENCH_INBOX_RUNS ?? '30'
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,pg').split(',').map((d) => d.trim())
const root = process.getuid?.() === 0
const work = mkdtempSync(join(tmpdir(), 'sportello-inbox-bench-'))
let postgres = false
const say = (line) => process.stdout.write(`${line}\n`)

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr || result.stdout}`)
  return result.stdout
}
const asPostgres = (command, args) =>
  root ? sh('runuser', ['-u', 'postgres', '--', command, ...args]) : sh(command, args)

function cleanup() {
  if (postgres) {
    try {
      asPostgres(`${PGBIN}/pg_ctl`, ['-D', join(work, 'pg'), '-m', 'immediate', 'stop'])
    } catch {}
  }
  rmSync(work, { recursive: true, force: true })
}
process.on('exit', cleanup)

const base = {
  ...process.env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'warn',
  APP_KEY: randomBytes(32).toString('base64'),
  DATA_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  SESSION_DRIVER: 'database',
  STORAGE_PATH: join(work, 'storage'),
  REDIS_URL: '',
  MAIL_CAPTURE_PORT: '0',
  DOCAREA_SIMULATOR_PORT: '0',
  GPD_SIMULATOR_PORT: '0',
  SMS_SIMULATOR_PORT: '0',
  IO_SIMULATOR_PORT: '0',
}
function bench(env) {
  sh('node', ['platform/ace.js', 'migration:run', '--force'], { cwd: ROOT, env })
  const run = spawnSync('node', ['platform/ace.js', 'bench:inbox', `--count=${COUNT}`, `--runs=${RUNS}`], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  })
  for (const line of run.stdout.split('\n')) if (line.trim() && !line.startsWith('{')) say(line)
  if (run.status !== 0) throw new Error('bench:inbox failed')
}

say(`\nInbox query on ${COUNT} submissions (GET /inbox: page and counts per status; target under 100 ms on PostgreSQL)`)
if (DATABASES.includes('sqlite')) {
  say('SQLite:')
  bench({ ...base, DB_CONNECTION: 'sqlite', SQLITE_PATH: join(work, 'inbox.sqlite3') })
}
if (DATABASES.includes('pg')) {
  if (!existsSync(`${PGBIN}/initdb`)) {
    say('PostgreSQL: SKIPPED, PostgreSQL 15 not installed here (apt-get install postgresql-15); install and run again')
  } else {
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
    postgres = true
    sh(`${PGBIN}/createdb`, ['-h', '127.0.0.1', '-p', String(PG_PORT), '-U', 'postgres', 'inbox_bench'])
    say('PostgreSQL 15:')
    bench({
      ...base,
      DB_CONNECTION: 'pg',
      PG_HOST: '127.0.0.1',
      PG_PORT: String(PG_PORT),
      PG_USER: 'postgres',
      PG_PASSWORD: '',
      PG_DB_NAME: 'inbox_bench',
    })
  }
}
