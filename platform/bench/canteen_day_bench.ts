/**
 * The canteen's day at a large city's scale (Torino serves about 36,000 pupils a day): 36,000 pupils
 * in 1,600 classes of 70 schools cooked for by 27 kitchens, marked for one day as the tablets send
 * them (per class, one POST of its marks, about one child in ten absent and one in twenty on a plain
 * meal, then the close; a few tablets at once, over HTTP to this process's server), then the
 * cut-off job (`refezione.cutoff`) computing every kitchen's order. Prints the marking's rate and
 * the job's wall time and peak memory (RSS and heap above what they were before it).
 *
 * Run by scripts/bench_canteen.mjs (part of `npm run bench`, alone `npm run bench:canteen`) on
 * a fresh, migrated database, once on SQLite and once on PostgreSQL; BENCH_PUPILS and BENCH_CLASSES
 * make it smaller. BENCH_RUNS=n runs the cut-off job n times on the same day (the day's orders and
 * alerts removed between runs) and prints each run. BENCH_REUSE=<tenant slug> skips the setup and the
 * marking and runs the job again on the day an earlier run of this bench marked in that tenant, on
 * the database the environment names (kept from that run): the way to compare two versions of the
 * job one right after the other without setting up 36,000 pupils again.
 */
import 'reflect-metadata'
import { Ignitor } from '@adonisjs/core'
import { APP_ROOT, importer } from '../bin/app_root.js'

const PUPILS = Number(process.env.BENCH_PUPILS ?? 36_000)
const CLASSES = Number(process.env.BENCH_CLASSES ?? 1_600)
const SCHOOLS = Math.min(70, CLASSES)
const KITCHENS = Math.min(27, SCHOOLS)
const TABLETS = Number(process.env.BENCH_TABLETS ?? 8)
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1))
const REUSE = process.env.BENCH_REUSE
const say = (line: string) => process.stdout.write(`${line}\n`)
const engine = process.env.DB_CONNECTION === 'pg' ? 'PostgreSQL' : 'SQLite'

const ignitor = new Ignitor(APP_ROOT, { importer }).tap((app) => {
  app.booting(async () => {
    await import('#start/env')
  })
})
const { createIdentifyingServer } = await import('#services/infrastructure/request_id')
await ignitor.httpServer().start(createIdentifyingServer)

const { pluginTestKit: kit } = await import('#sdk/testing')
const { RequestContext } = await import('#services/infrastructure/request_context')
const { findCurrentForm } = await import('#services/definitions/form_service')
const { default: Submission } = await import('#models/submission')
const { default: Enrolment } = await import('#models/enrolment')
const { default: db } = await import('@adonisjs/lucid/services/db')
const { default: env } = await import('#start/env')
const { default: Tenant } = await import('#models/tenant')
const { DateTime } = await import('luxon')

const base = `http://127.0.0.1:${env.get('PORT')}`

/**
 * A request, sent again once if the connection was reset: the server may close an idle keep-alive
 * connection just as the client reuses it. Every call here is safe to repeat (a mark's device id, a
 * close and a login count once).
 */
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch {
    return fetch(url, init)
  }
}

const phase = (label: string, since: number) => {
  if (process.env.BENCH_VERBOSE) say(`    ${label}: ${((performance.now() - since) / 1000).toFixed(1)} s`)
  return performance.now()
}

/** A logged-in user's calls to the API (the session cookie kept by hand). */
async function session(email: string) {
  const login = await send(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json' },
    body: JSON.stringify({ email, password: 'secret-password' }),
  })
  if (!login.ok) throw new Error(`login of ${email}: ${login.status} ${await login.text()}`)
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await send(`${base}${path}`, {
      method,
      headers: { cookie, 'accept': 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`)
    return JSON.parse(text) as T
  }
}

/** Sets up the world and marks the day as the tablets would; answers the tenant and the day. */
async function setUp() {
  // The day: the last weekday before today (Rome), so its cut-off has passed and the job acts on it.
  let day = DateTime.now().setZone('Europe/Rome').startOf('day').minus({ days: 1 })
  while (day.weekday > 5) day = day.minus({ days: 1 })
  const date = day.toISODate()!
  const schoolYear = '2026/2027'

  // The world: schools and classes in the catalog, the school year, the kitchens, a tablet user.
  const seedStart = performance.now()
  const tenant = await kit.tenant(['refezione'], 'Comune del banco di prova')
  const schools = Array.from({ length: SCHOOLS }, (_, s) => ({
    code: `sc-${String(s).padStart(3, '0')}`,
    name: `Scuola ${s + 1}`,
    order: s % 5 === 0 ? 'infanzia' : s % 5 === 4 ? 'secondaria' : 'primaria',
    services: ['refezione'],
    classes: [] as Array<{ year: string | null; section: string }>,
  }))
  for (let c = 0; c < CLASSES; c++) {
    const school = schools[c % SCHOOLS]
    const n = school.classes.length
    // Primary and secondary: years 1 to 5, sections A, B...; pre-school: sections only.
    school.classes.push(
      school.order === 'infanzia'
        ? { year: null, section: String.fromCharCode(65 + n) }
        : { year: String((n % 5) + 1), section: String.fromCharCode(65 + Math.floor(n / 5)) }
    )
  }
  let since = phase('tenant', seedStart)
  await kit.schools(tenant, schools)
  since = phase('catalog', since)
  const operator = await kit.member(tenant, ['operator'])
  const staff = await kit.member(tenant, ['school_staff'])
  const parent = await kit.member(tenant, ['citizen'])
  const office = await session(operator.email)
  const api = `/api/v1/t/${tenant.slug}/refezione`
  await office('PUT', `${api}/calendar/years`, {
    code: schoolYear,
    starts_on: day.minus({ days: 60 }).toISODate(),
    ends_on: day.plus({ days: 200 }).toISODate(),
  })
  for (let k = 0; k < KITCHENS; k++) {
    await office('PUT', `${api}/kitchens`, {
      code: `cc-${k}`,
      name: `Centro cottura ${k + 1}`,
      schools: schools.filter((_, s) => s % KITCHENS === k).map((s) => s.code),
    })
  }
  for (const school of schools) {
    await office('PUT', `${api}/assignments`, { user_id: staff.id, scope: 'school', code: school.code })
  }

  since = phase('year, kitchens, assignments', since)
  // The pupils: accepted submissions and active enrolments, written in batches (the acceptance path's
  // rows, without its per-row events: the setup is not what is measured).
  const classes = schools.flatMap((s) => s.classes.map((c) => ({ school: s, ...c })))
  const DIETS = ['vegetarian', 'medical', 'no_pork', 'vegan', 'no_meat']
  const pupils: Array<{ id: number; cls: (typeof classes)[number] }> = []
  await RequestContext.withTenant(tenant.ref, async () => {
    const form = (await findCurrentForm('refezione.iscrizione'))!
    for (let from = 0; from < PUPILS; from += 1000) {
      const count = Math.min(1000, PUPILS - from)
      await db.transaction(async (trx) => {
        const submissions = await Submission.createMany(
          Array.from({ length: count }, () => ({
            formId: form.form.id,
            formVersionId: form.version.id,
            formKey: 'refezione.iscrizione',
            applicantUserId: parent.id,
            submittedByUserId: parent.id,
            onBehalf: false,
            status: 'accepted' as const,
            statusReason: null,
            data: {},
            protocolNumber: null,
            submittedAt: DateTime.now(),
          })),
          { client: trx }
        )
        const rows = await Enrolment.createMany(
          submissions.map((submission, i) => {
            const n = from + i
            const cls = classes[n % classes.length]
            return {
              service: 'refezione',
              formKey: 'refezione.iscrizione',
              schoolYear,
              submissionId: submission.id,
              applicantUserId: parent.id,
              status: 'active' as const,
              childFirstName: `Bambino${n}`,
              childLastName: 'Prova',
              schoolId: cls.school.code,
              section: cls.section,
              details: {
                school_order: cls.school.order,
                ...(cls.year ? { class_year: cls.year } : {}),
                ...(n % 12 === 0 ? { diet: { requested: true, type: DIETS[(n / 12) % DIETS.length] } } : {}),
              },
            }
          }),
          { client: trx }
        )
        rows.forEach((row, i) => pupils.push({ id: row.id, cls: classes[(from + i) % classes.length] }))
      })
    }
  })
  phase('pupils', since)
  say(
    `canteen day (${engine}): ${PUPILS} pupils in ${classes.length} classes of ${SCHOOLS} schools, ${KITCHENS} kitchens, ` +
      `set up in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`
  )

  // The tablets: each class's marks in one POST, then its close; TABLETS classes at once.
  const tablet = await session(staff.email)
  const byClass = new Map<(typeof classes)[number], number[]>()
  for (const p of pupils) byClass.set(p.cls, [...(byClass.get(p.cls) ?? []), p.id])
  const queue = [...byClass.entries()]
  let marks = 0
  let requests = 0
  const markStart = performance.now()
  await Promise.all(
    Array.from({ length: TABLETS }, async (_, t) => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [cls, ids] = next
        const at = DateTime.now().toUTC().toISO()!
        const batch = ids
          .map((id, i) =>
            i % 10 === 3
              ? { status: 'absent' as const, id }
              : i % 20 === 7
                ? { plain: true, id }
                : i % 25 === 11
                  ? { late_entry: true, id }
                  : null
          )
          .filter((m) => m !== null)
          .map((m) => ({
            ...m,
            id: `bench-${t}-${m.id}`,
            enrolment_id: m.id,
            day: date,
            school_code: cls.school.code,
            class_year: cls.year,
            section: cls.section,
            marked_at: at,
          }))
        if (batch.length) {
          const answer = await tablet<{ results: Array<{ result: string }> }>('POST', `${api}/attendance/marks`, {
            marks: batch,
          })
          marks += answer.results.filter((r) => r.result === 'accepted').length
          requests++
        }
        await tablet('POST', `${api}/attendance/close`, {
          day: date,
          school_code: cls.school.code,
          class_year: cls.year,
          section: cls.section,
          marked_at: at,
        })
        requests++
      }
    })
  )
  const markSeconds = (performance.now() - markStart) / 1000
  say(
    `  marking: ${byClass.size} classes closed, ${marks} marks, ${requests} requests from ${TABLETS} tablets in ` +
      `${markSeconds.toFixed(1)} s (${(requests / markSeconds).toFixed(0)} requests/s)`
  )
  return { tenant, date }
}

/** The tenant and the day an earlier run set up and marked (BENCH_REUSE). */
async function reuse(slug: string) {
  const tenant = await Tenant.findByOrFail('slug', slug)
  const last = await RequestContext.withTenant(tenant.ref, () =>
    db.from('refezione_marks').where('tenant_id', tenant.id).max('day as day').first()
  )
  if (!last?.day) throw new Error(`tenant ${slug} has no marked day: run the whole bench first`)
  const date = String(last.day)
  say(`canteen day (${engine}): reusing tenant ${slug} and its marked day ${date}`)
  return { tenant, date }
}

const { tenant, date } = REUSE ? await reuse(REUSE) : await setUp()
if (!REUSE) say(`  (tenant ${tenant.slug}: BENCH_REUSE=${tenant.slug} runs the cut-off job again on this database)`)

/**
 * The queries the job sends and the time it waits for their answers, from the database client's
 * own events (every connection and transaction of the default connection).
 */
const knexClients = [...new Set([db.connection().getWriteClient(), db.connection().getReadClient()])]
const queries = { count: 0, waiting: 0, open: new Map<string, number>() }
for (const knex of knexClients) {
  knex.on('query', (q: { __knexQueryUid?: string }) => {
    queries.count++
    if (q.__knexQueryUid) queries.open.set(q.__knexQueryUid, performance.now())
  })
  const settle = (q: { __knexQueryUid?: string }) => {
    const sent = q.__knexQueryUid ? queries.open.get(q.__knexQueryUid) : undefined
    if (sent === undefined) return
    queries.waiting += performance.now() - sent
    queries.open.delete(q.__knexQueryUid!)
  }
  knex.on('query-response', (_response: unknown, q: { __knexQueryUid?: string }) => settle(q))
  knex.on('query-error', (_error: unknown, q: { __knexQueryUid?: string }) => settle(q))
}

const kitchens = await RequestContext.withTenant(tenant.ref, () =>
  db.from('refezione_kitchens').where('tenant_id', tenant.id).count('* as n').first()
)
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const timings: number[] = []

for (let run = 1; run <= RUNS; run++) {
  // A day already frozen is left alone by the job: each run starts from the marked day, unfrozen.
  await RequestContext.withTenant(tenant.ref, async () => {
    await db.from('refezione_orders').where('tenant_id', tenant.id).where('day', date).delete()
    await db.from('refezione_alerts').where('tenant_id', tenant.id).where('day', date).delete()
  })

  // The cut-off job, as the scheduler runs it, with its peak memory sampled every 5 ms.
  global.gc?.()
  const before = process.memoryUsage()
  let peakRss = before.rss
  let peakHeap = before.heapUsed
  const sampler = setInterval(() => {
    const now = process.memoryUsage()
    peakRss = Math.max(peakRss, now.rss)
    peakHeap = Math.max(peakHeap, now.heapUsed)
  }, 5)
  // BENCH_PROFILE=<file>: the job's CPU profile (open it in Chrome's DevTools); the last run's.
  const profiler = process.env.BENCH_PROFILE ? new (await import('node:inspector/promises')).Session() : null
  if (profiler) {
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.start')
  }
  queries.count = 0
  queries.waiting = 0
  const jobStart = performance.now()
  const jobCpu = process.cpuUsage()
  await kit.runJob(tenant, 'refezione', 'cutoff', { day: date })
  const jobSeconds = (performance.now() - jobStart) / 1000
  // CPU time of this process during the job: what a machine shared with other work disturbs less.
  const cpu = process.cpuUsage(jobCpu)
  const jobCpuSeconds = (cpu.user + cpu.system) / 1e6
  const jobQueries = queries.count
  const waiting = queries.waiting / 1000
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile))
  }
  clearInterval(sampler)
  const after = process.memoryUsage()
  peakRss = Math.max(peakRss, after.rss)
  peakHeap = Math.max(peakHeap, after.heapUsed)
  timings.push(jobSeconds)

  const orders = await RequestContext.withTenant(tenant.ref, () =>
    db.from('refezione_orders').where('tenant_id', tenant.id).where('day', date).select('meals', 'estimated')
  )
  const meals = orders.reduce((n, o) => n + Number(o.meals), 0)
  say(
    `  cut-off job${RUNS > 1 ? ` (run ${run} of ${RUNS})` : ''}: ${orders.length} orders, ${meals} meals, in ${jobSeconds.toFixed(2)} s ` +
      `(${jobCpuSeconds.toFixed(2)} s of CPU here; ${jobQueries} queries, ${waiting.toFixed(2)} s waiting on the database); ` +
      `peak memory RSS ${mb(peakRss)} (+${mb(peakRss - before.rss)}), heap ${mb(peakHeap)} (+${mb(peakHeap - before.heapUsed)})` +
      (engine === 'PostgreSQL' && RUNS === 1 ? ` (target: under 5 s: ${jobSeconds < 5 ? 'met' : 'NOT met'})` : '')
  )
  if (orders.length !== Number(kitchens?.n) || orders.some((o) => o.estimated === true || o.estimated === 1)) {
    say('  unexpected: every kitchen should have one order, none estimated (every class was closed)')
    process.exitCode = 1
  }
}
if (RUNS > 1) {
  const median = [...timings].sort((a, b) => a - b)[Math.floor(timings.length / 2)]
  say(
    `  cut-off job: median of ${RUNS} runs ${median.toFixed(2)} s` +
      (engine === 'PostgreSQL' ? ` (target: under 5 s: ${median < 5 ? 'met' : 'NOT met'})` : '')
  )
}
process.exit()
