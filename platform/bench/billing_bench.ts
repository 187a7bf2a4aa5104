/**
 * The monthly billing run at a large comune's scale, on PostgreSQL 15 (the third part of
 * `npm run bench`): 100,000 children × 20 service days = 2,000,000 meal rows of the benchmark's
 * own service (bench/plugins/pasti: one row per child and day at the fee of that day, children of
 * the same family sharing a paying parent), billed for one month by the platform's run
 * (`collectRun`, as the collect job runs it): charges on the ledger, a pagoPA position with its
 * notice number per paying parent, and the jobs that publish and notify them (one per 100 positions): the
 * positions are then ready to send. GPD and the notices are not part of the figure (they are network
 * calls to other systems, made by the position jobs afterwards).
 *
 * In the same run, the floor: one bare SQL statement aggregating the same rows and inserting one
 * row per child and fee into a copy of the ledger's table (same columns and indexes). The target is
 * a run within 30 s and within 3× the floor. The process's peak memory (resident set) is printed.
 * A second run of the same month is timed too: it must add nothing.
 *
 * A throw-away PostgreSQL cluster is started on PG_PORT (55432 unless set) and removed after;
 * without Debian's postgresql-15 the part says so and is skipped.
 *
 *   BENCH_CHILDREN (100000)  BENCH_DAYS (20)  PG_PORT (55432)
 *   BENCH_PGOPTS (extra server settings, e.g. "-c log_min_duration_statement=100")  BENCH_PGLOG (copy of the server log)
 *   BENCH_KEEP (set: the cluster is left running with its data after the run, for psql; the line printed says how to stop it)
 */
import 'reflect-metadata'
import { spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 100_000)
const DAYS = Number(process.env.BENCH_DAYS ?? 20)
const PG_PORT = Number(process.env.PG_PORT ?? 55432)
const PGBIN = '/usr/lib/postgresql/15/bin'
const PERIOD = '2026-10'
const say = (line: string) => process.stdout.write(`${line}\n`)

if (!existsSync(`${PGBIN}/initdb`)) {
  say('\nBilling run: skipped (PostgreSQL 15 is not installed: apt-get install postgresql-15)')
  process.exit(0)
}

const work = mkdtempSync(join(tmpdir(), 'sportello-billing-bench-'))
const root = process.getuid?.() === 0
if (root) chownSync(work, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), 0)
function sh(command: string, args: string[]) {
  const full = root ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  const result = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`)
}
let started = false
function stopPostgres() {
  if (process.env.BENCH_KEEP) {
    if (started)
      say(
        `  database kept: psql -h 127.0.0.1 -p ${PG_PORT} -U postgres sportello_bench (stop: pg_ctl -D ${join(work, 'pg')} stop)`
      )
    started = false
    return
  }
  if (started) {
    try {
      sh(`${PGBIN}/pg_ctl`, ['-D', join(work, 'pg'), '-m', 'immediate', 'stop'])
    } catch {}
    started = false
  }
  if (process.env.BENCH_PGLOG) spawnSync('cp', [join(work, 'pg.log'), process.env.BENCH_PGLOG])
  rmSync(work, { recursive: true, force: true })
}
process.on('exit', stopPostgres)
process.on('SIGINT', () => process.exit(130))

sh(`${PGBIN}/initdb`, ['-D', join(work, 'pg'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8'])
sh(`${PGBIN}/pg_ctl`, [
  '-D',
  join(work, 'pg'),
  '-l',
  join(work, 'pg.log'),
  '-w',
  '-o',
  `-p ${PG_PORT} -k ${work} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB -c max_wal_size=4GB ${process.env.BENCH_PGOPTS ?? ''}`,
  'start',
])
started = true
sh(`${PGBIN}/createdb`, ['-h', '127.0.0.1', '-p', String(PG_PORT), '-U', 'postgres', 'sportello_bench'])

Object.assign(process.env, {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  PORT: '0',
  HOST: '127.0.0.1',
  STORAGE_PATH: join(work, 'storage'),
  SESSION_DRIVER: 'database',
  DATA_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  DB_CONNECTION: 'pg',
  PG_HOST: '127.0.0.1',
  PG_PORT: String(PG_PORT),
  PG_USER: 'postgres',
  PG_PASSWORD: '',
  PG_DB_NAME: 'sportello_bench',
  PROCESS_ROLE: 'web',
  PLUGINS_DIR: [
    fileURLToPath(new URL('../../plugins', import.meta.url)),
    fileURLToPath(new URL('./plugins', import.meta.url)),
  ].join(delimiter),
})
process.env.APP_KEY ??= 'bench-app-key-bench-app-key-1234'

let peakRss = process.memoryUsage().rss
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)

const { Ignitor } = await import('@adonisjs/core')
const { APP_ROOT, importer } = await import('../bin/app_root.js')
const app = new Ignitor(APP_ROOT, { importer })
  .tap((a) => a.booting(async () => void (await import('#start/env'))))
  .createApp('console')
await app.init()
await app.boot()
await app.start(async () => {})

try {
  const ace = await app.container.make('ace')
  const migrated = await ace.exec('migration:run', ['--force', '--compact-output'])
  if (migrated.exitCode !== 0) throw new Error('migrations failed')
  await bench()
} finally {
  clearInterval(sampler)
  await app.terminate()
  stopPostgres()
}

async function bench() {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { default: Tenant } = await import('#models/tenant')
  const { default: User } = await import('#models/user')
  const { default: BillingRun } = await import('#models/billing_run')
  const { RequestContext } = await import('#services/infrastructure/request_context')
  const { pluginService } = await import('#services/tenants/plugin_service')
  const { billingBatch, collectRun } = await import('#services/billing/billing_run')
  const { billingPhases } = await import('#services/billing/billing_phases')

  const families = Math.ceil((CHILDREN * 4) / 5)
  say(
    `\nBilling run on PostgreSQL 15: ${CHILDREN} children (${families} paying parents) × ${DAYS} days = ${CHILDREN * DAYS} meal rows`
  )
  let mark = Date.now()
  const tenant = await RequestContext.asSystem('bench', async () => {
    const created = await Tenant.create({
      slug: 'bench',
      name: 'Comune di Prova',
      fiscalCode: '00229080338',
      settings: {
        pagopa: {
          segregationCode: '01',
          fiscalCode: '00229080338',
          iban: 'IT60X0542811101000000123456',
          baseUrl: 'http://127.0.0.1:9',
          subscriptionKeyEnv: 'PAGOPA_KEY_BENCH',
        },
      },
    } as never)
    // A service with a form, for the enrolments' submissions to name one.
    await pluginService.enable(created, 'trasporto')
    await pluginService.enable(created, 'pasti')
    // One parent made with the model: the others are copies of its row.
    await User.create({ email: 'bench-payer-0@bench.example', fullName: 'Genitore', fiscalCode: 'RSSMRA80A01G535X' })
    return created
  })
  const tenantId = tenant.id
  const now = new Date().toISOString()
  const template = await db.from('users').where('email', 'bench-payer-0@bench.example').firstOrFail()
  await copyRows('users', template.id, families, {
    email: `'bench-payer-' || g || '@bench.example'`,
    fiscal_code_hash: `t.fiscal_code_hash || '-' || g`,
  })
  await db.rawQuery(
    `CREATE TEMP TABLE bench_payers AS SELECT CAST(substring(email from 13 for position('@' in email) - 13) AS int) AS ix, id FROM users WHERE email LIKE 'bench-payer-%'`
  )
  await db.rawQuery('CREATE INDEX ON bench_payers (ix)')
  // The inbox's count trigger updates one counter row per inserted application: within one
  // statement of 100,000 rows that row's versions pile up and each update walks them. The
  // benchmark's applications are loaded without it and the counts rebuilt once after.
  await db.rawQuery('ALTER TABLE submissions DISABLE TRIGGER submission_status_counts_follow')
  await db.rawQuery(
    `INSERT INTO submissions (tenant_id, form_id, form_version_id, form_key, applicant_user_id, submitted_by_user_id, on_behalf, status, data, submitted_at, created_at)
     SELECT ?, f.id, v.id, 'pasti', p.id, p.id, false, 'accepted', '{}', ?, ?
     FROM generate_series(1, ?) g JOIN bench_payers p ON p.ix = (g - 1) * 4 / 5 + 1,
     (SELECT id FROM forms ORDER BY id LIMIT 1) f, (SELECT id FROM form_versions ORDER BY id LIMIT 1) v`,
    [tenantId, now, now, CHILDREN]
  )
  await db.rawQuery('ALTER TABLE submissions ENABLE TRIGGER submission_status_counts_follow')
  await db.rawQuery('DELETE FROM submission_status_counts')
  await db.rawQuery(
    `INSERT INTO submission_status_counts (tenant_id, form_key, school_code, status, total)
     SELECT tenant_id, form_key, COALESCE(school_code, ''), status, count(*) FROM submissions
     GROUP BY tenant_id, form_key, COALESCE(school_code, ''), status`
  )
  await db.rawQuery(
    `INSERT INTO enrolments (tenant_id, service, form_key, school_year, submission_id, applicant_user_id, child_unborn, status, created_at)
     SELECT tenant_id, 'pasti', 'pasti', '2026/2027', id, applicant_user_id, false, 'active', ? FROM submissions WHERE tenant_id = ? AND form_key = 'pasti'`,
    [now, tenantId]
  )
  // 20 school days of October 2026; a third of the children change fee band on the 16th.
  await db.rawQuery(
    `INSERT INTO pasti_meals (tenant_id, enrolment_id, day, unit_cents)
     SELECT e.tenant_id, e.id, to_char(DATE '2026-10-01' + d, 'YYYY-MM-DD'),
            CASE WHEN e.id % 3 = 0 AND d >= 15 THEN 343 ELSE 400 + (e.id % 4) * 25 END
     FROM enrolments e, generate_series(0, ? - 1) d WHERE e.tenant_id = ? AND e.service = 'pasti'`,
    [DAYS, tenantId]
  )
  await db.rawQuery('ANALYZE')
  const meals = await db.from('pasti_meals').count('* as n').first()
  say(`  seeded in ${((Date.now() - mark) / 1000).toFixed(1)} s: ${meals.n} meal rows`)

  // The floor: the same rows aggregated and inserted by one statement into a copy of the ledger's table.
  await db.rawQuery('CREATE TABLE bench_floor (LIKE ledger_entries INCLUDING ALL)')
  await db.rawQuery('CHECKPOINT')
  mark = Date.now()
  let cpu = cpuNow()
  const floorSql = `INSERT INTO bench_floor (tenant_id, entry_key, kind, payer_user_id, enrolment_id, service, period, amount_cents, quantity, unit_cents, description, actor_label, created_at)
     SELECT m.tenant_id, 'billing:pasti:${PERIOD}:' || m.enrolment_id || ':meals:' || m.unit_cents, 'charge', e.applicant_user_id, m.enrolment_id,
            'pasti', '${PERIOD}', count(*) * m.unit_cents, CAST(count(*) AS text), m.unit_cents, 'Pasti ${PERIOD}', 'bench', now()
     FROM pasti_meals m JOIN enrolments e ON e.id = m.enrolment_id
     WHERE m.tenant_id = ? AND m.day >= '${PERIOD}-01' AND m.day <= '${PERIOD}-31'
     GROUP BY m.tenant_id, m.enrolment_id, m.unit_cents, e.applicant_user_id`
  await db.rawQuery(floorSql, [tenantId])
  const floorMs = Date.now() - mark
  const floorCpu = cpuSince(cpu)
  const floor = await db.from('bench_floor').count('* as n').sum('amount_cents as cents').first()

  // For reading the run's figure, not for the target: the same statement into a copy that also has
  // the ledger's foreign keys, which PostgreSQL checks row by row (the run's tables have them too).
  await db.rawQuery('CREATE TABLE bench_floor_fk (LIKE ledger_entries INCLUDING ALL)')
  for (const row of (
    await db.rawQuery(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'ledger_entries'::regclass AND contype = 'f'`
    )
  ).rows as Array<{ def: string }>) {
    await db.rawQuery(`ALTER TABLE bench_floor_fk ADD ${row.def}`)
  }
  await db.rawQuery('CHECKPOINT')
  mark = Date.now()
  cpu = cpuNow()
  await db.rawQuery(floorSql.replace('INSERT INTO bench_floor ', 'INSERT INTO bench_floor_fk '), [tenantId])
  const floorFkMs = Date.now() - mark
  const floorFkCpu = cpuSince(cpu)

  await db.rawQuery('CHECKPOINT')
  const phases = new Map<string, number>()
  const runMs: number[] = []
  const runCpu: Array<{ node: number; pg: number }> = []
  const run = await RequestContext.withTenant(tenant.ref, async () => {
    const created = await BillingRun.create({
      service: 'pasti',
      period: PERIOD,
      status: 'collecting',
      payers: null,
      charges: 0,
      totalCents: 0,
      dueDate: '2026-12-31',
      notes: null,
      error: null,
      startedByUserId: null,
    })
    for (let i = 0; i < 2; i++) {
      if (i === 1) {
        await db.from('billing_runs').where('id', created.id).update({ status: 'collecting' })
      }
      // The first run's time by phase (summed over its batches).
      billingPhases.record = i === 0 ? (phase, ms) => phases.set(phase, (phases.get(phase) ?? 0) + ms) : undefined
      mark = Date.now()
      cpu = cpuNow()
      await RequestContext.asSystem('bench', () => RequestContext.withTenant(tenant.ref, () => collectRun(created.id)))
      runMs.push(Date.now() - mark)
      runCpu.push(cpuSince(cpu))
    }
    return created.refresh()
  })
  const positions = await db.from('payment_positions').where('tenant_id', tenantId).count('* as n').first()
  // The jobs that publish and notify the positions: one per chunk of positions; n counts the positions they name.
  const jobs = (
    await db.rawQuery(
      `SELECT count(*) AS jobs, COALESCE(sum(json_array_length((payload::json)->'positionIds')), 0) AS n
       FROM jobs WHERE name = 'platform.billing-positions'`
    )
  ).rows[0] as { jobs: string; n: string }
  const charges = await db
    .from('ledger_entries')
    .where('tenant_id', tenantId)
    .where('kind', 'charge')
    .count('* as n')
    .sum('amount_cents as cents')
    .first()
  // Notice numbers: one per position, none reused, and the sequence without a gap (batches ran side by side).
  const numbering = (
    await db.rawQuery(
      `SELECT (SELECT count(DISTINCT iuv) FROM payment_positions WHERE tenant_id = ?) AS numbers,
              (SELECT last_base FROM pagopa_notice_sequences WHERE tenant_id = ?) AS last`,
      [tenantId, tenantId]
    )
  ).rows[0] as { numbers: string; last: string }
  const items = await db.from('payment_position_items').where('tenant_id', tenantId).count('* as n').first()
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  const cpuText = (c: { node: number; pg: number }) =>
    `CPU ${seconds(c.node + c.pg)} (Node ${seconds(c.node)}, PostgreSQL ${seconds(c.pg)})`
  say(`  floor (one INSERT … SELECT … GROUP BY):     ${seconds(floorMs)}  ${floor.n} rows, ${floor.cents} cents`)
  say(`    ${cpuText(floorCpu)}`)
  say(
    `  the same into a copy with the ledger's foreign keys (not the target): ${seconds(floorFkMs)}  ${cpuText(floorFkCpu)}`
  )
  say(
    `  monthly run, to positions ready to send:    ${seconds(runMs[0])}  ${charges.n} charges, ${positions.n} positions, ${items.n} items, ${jobs.jobs} jobs for ${jobs.n} positions, ${charges.cents} cents (${(runMs[0] / floorMs).toFixed(1)}× the floor)`
  )
  const cpuRatio = (runCpu[0].node + runCpu[0].pg) / Math.max(1, floorCpu.node + floorCpu.pg)
  say(`    ${cpuText(runCpu[0])}: ${cpuRatio.toFixed(1)}× the floor's CPU time`)
  say(
    `    by phase, each batch's summed (${billingBatch.concurrentTransactions} batch transactions at once, so the batches' phases add up to more than their wall time):`
  )
  for (const [phase, ms] of phases) say(`      ${`${phase}:`.padEnd(32)} ${seconds(ms)}`)
  say(`  the same month run again (adds nothing):    ${seconds(runMs[1])}  ${cpuText(runCpu[1])}`)
  say(`  peak memory (resident set):                  ${Math.round(peakRss / 1024 / 1024)} MB`)
  const ok =
    run.status === 'collected' &&
    Number(charges.n) === Number(floor.n) &&
    String(charges.cents) === String(floor.cents) &&
    Number(positions.n) === families &&
    Number(jobs.n) === families &&
    Number(numbering.numbers) === families &&
    Number(numbering.last) === families
  const target = runMs[0] <= 30_000 && runMs[0] <= 3 * floorMs
  say(
    `  ${ok ? 'charges and positions match the floor, notice numbers 1 to ' + numbering.last + ' without a gap' : 'MISMATCH with the floor or the notice numbers'}; target (≤ 30 s and ≤ 3× the floor): ${target ? 'met' : 'NOT met'}`
  )

  /**
   * CPU time used so far, in ms, by this process and by the PostgreSQL cluster (its server processes
   * alive now plus those that ended, from /proc): on a shared machine wall time also counts the
   * others' work, CPU time only ours.
   */
  function cpuNow() {
    const usage = process.cpuUsage()
    return { node: (usage.user + usage.system) / 1000, pg: postgresCpuMs() }
  }
  function cpuSince(start: { node: number; pg: number }) {
    const end = cpuNow()
    return { node: end.node - start.node, pg: end.pg - start.pg }
  }
  function postgresCpuMs(): number {
    try {
      const tick = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100)
      const postmaster = Number(readFileSync(join(work, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0])
      let ticks = 0
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue
        let stat: string
        try {
          stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        } catch {
          continue
        }
        // Fields after the command's closing parenthesis: state, ppid, … utime (14), stime (15), cutime, cstime.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        const pid = Number(entry)
        const ppid = Number(fields[1])
        if (pid !== postmaster && ppid !== postmaster) continue
        ticks += Number(fields[11]) + Number(fields[12])
        if (pid === postmaster) ticks += Number(fields[13]) + Number(fields[14])
      }
      return ticks * tick
    } catch {
      return 0
    }
  }

  async function copyRows(table: string, id: number, count: number, overrides: Record<string, string>) {
    const columns = (
      await db.rawQuery(
        `SELECT column_name FROM information_schema.columns WHERE table_name = ? AND column_name <> 'id' ORDER BY ordinal_position`,
        [table]
      )
    ).rows.map((r: { column_name: string }) => r.column_name) as string[]
    const values = columns.map((c) => overrides[c] ?? `t.${c}`)
    await db.rawQuery(
      `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${table} t, generate_series(1, ?) g WHERE t.id = ?`,
      [count, id]
    )
  }
}
