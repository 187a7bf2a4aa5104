/*
 * The canteen day's benchmark (the last part of `npm run bench`): platform/bench/canteen_day_bench.ts
 * on a fresh SQLite database, then on a throw-away PostgreSQL 15 cluster (Debian's postgresql-15;
 * without it that part says so and is skipped). Each run migrates its database first, as a release
 * does, then marks a day of 36,000 pupils and runs the cut-off job. Alone: `npm run bench:canteen`.
 *
 *   BENCH_PUPILS (36000)  BENCH_CLASSES (1600)  BENCH_TABLETS (8)  PG_PORT (55432)  BENCH_PORT (38110)
 *   BENCH_DATABASES (sqlite,pg)  BENCH_RUNS (1: the cut-off job's runs on the marked day)
 */
import { spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PLATFORM = fileURLToPath(new URL('../platform/', import.meta.url))
const PGBIN = '/usr/lib/postgresql/15/bin'
const PG_PORT = Number(process.env.PG_PORT ?? 55432)
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,pg').split(',').map((d) => d.trim())
const say = (line) => process.stdout.write(`${line}\n`)
const work = mkdtempSync(join(tmpdir(), 'sportello-canteen-bench-'))
const root = process.getuid?.() === 0
let postgres = false

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`)
  return result.stdout
}
const asPostgres = (command, args) =>
  root ? sh('runuser', ['-u', 'postgres', '--', command, ...args]) : sh(command, args)

process.on('exit', () => {
  if (postgres) {
    try {
      asPostgres(`${PGBIN}/pg_ctl`, ['-D', join(work, 'pg'), '-m', 'immediate', 'stop'])
    } catch {}
  }
  rmSync(work, { recursive: true, force: true })
})

const base = {
  ...process.env,
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  PORT: String(process.env.BENCH_PORT ?? 38110),
  APP_KEY: randomBytes(32).toString('base64'),
  DATA_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  MAIL_CAPTURE_PORT: '0',
  DOCAREA_SIMULATOR_PORT: '0',
  GPD_SIMULATOR_PORT: '0',
  SMS_SIMULATOR_PORT: '0',
  IO_SIMULATOR_PORT: '0',
  SESSION_DRIVER: 'cookie',
}

function run(env) {
  sh('node', ['ace.js', 'migration:run', '--force'], { cwd: PLATFORM, env })
  const bench = spawnSync(
    'node',
    ['--expose-gc', '--import=ts-node-maintained/register/esm', 'bench/canteen_day_bench.ts'],
    { cwd: PLATFORM, env, stdio: 'inherit' }
  )
  if (bench.status !== 0) process.exitCode = 1
}

say('')
say('Canteen day: marking by the tablets and the cut-off job')
if (DATABASES.includes('sqlite')) {
  run({ ...base, DB_CONNECTION: 'sqlite', SQLITE_PATH: join(work, 'canteen.sqlite3') })
}
if (DATABASES.includes('pg')) {
  if (!existsSync(`${PGBIN}/initdb`)) {
    say('canteen day (PostgreSQL): skipped, PostgreSQL 15 is not installed (apt-get install postgresql-15)')
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
    sh(`${PGBIN}/createdb`, ['-h', '127.0.0.1', '-p', String(PG_PORT), '-U', 'postgres', 'canteen'])
    run({
      ...base,
      DB_CONNECTION: 'pg',
      PG_HOST: '127.0.0.1',
      PG_PORT: String(PG_PORT),
      PG_USER: 'postgres',
      PG_PASSWORD: '',
      PG_DB_NAME: 'canteen',
    })
  }
}
