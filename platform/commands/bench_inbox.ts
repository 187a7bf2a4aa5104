import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Tenant from '#models/tenant'
import User from '#models/user'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import { RequestContext } from '#services/infrastructure/request_context'
import { pluginService } from '#services/tenants/plugin_service'
import { currentDataCipher } from '#services/infrastructure/data_cipher'
import { searchHashes } from '#services/submissions/submission_search'
import { INBOX_STATUSES } from '#shared/contract'
import { inboxPage, parseInboxQuery } from '#controllers/inbox_controller'

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const SURNAMES = ['Rossi', 'Bianchi', 'Ferrari', 'Esposito', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno']
const NAMES = ['Giulia', 'Marco', 'Sofia', 'Luca', 'Aurora', 'Matteo', 'Alice', 'Andrea', 'Emma', 'Davide']

/** A well-formed (not checked) codice fiscale, different for every n. */
function fiscalCode(n: number) {
  let code = ''
  let rest = n
  for (let i = 0; i < 6; i++) {
    code += LETTERS[rest % 26]
    rest = Math.floor(rest / 26)
  }
  return `${code}17C44G535M`.slice(0, 16)
}

function processCpuMs() {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/**
 * CPU time (ms) of the PostgreSQL server processes serving this database, read from /proc (Linux):
 * user and system clock ticks of each backend. 0 where it cannot be read (SQLite runs in-process,
 * and is counted by processCpuMs).
 */
async function databaseCpuMs(): Promise<number> {
  if (db.connection().dialect.name !== 'postgres') return 0
  const rows = (await db.rawQuery('SELECT pid FROM pg_stat_activity WHERE datname = current_database()'))
    .rows as Array<{
    pid: number
  }>
  let ticks = 0
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // Not on this machine (a remote server): CPU not counted.
    }
  }
  // Linux reports 100 ticks a second.
  return ticks * 10
}

/**
 * The inbox's query on a tenant with many applications (`npm run bench`, scripts/bench_inbox.mjs):
 * loads `--count` refezione submissions (100k by default) into a new tenant of the current
 * database, with their search terms, spread over two school years and every status; then times
 * `GET /inbox`'s work (the page and the counts per status under the filters, inbox_controller.ts)
 * for a first page and a page deep in the list, with and without filters, and a search by name.
 * Wall time per call, best, median and 95th percentile over `--runs` calls, after a warm-up, and
 * the CPU time per call of this process and of the PostgreSQL backends (the machine may be shared).
 * The counts per status alone are timed from the counters and counted as before them.
 *
 * stdout: one line per case, and a JSON line with every figure in milliseconds.
 */
export default class BenchInbox extends BaseCommand {
  static commandName = 'bench:inbox'
  static description = 'Time the back office inbox query on many submissions (for npm run bench)'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'How many submissions to load', default: 100_000 })
  declare count: number

  @flags.number({ description: 'Calls timed per case', default: 30 })
  declare runs: number

  @flags.string({ description: 'Time again on the tenant a previous run loaded (its slug), loading nothing' })
  declare tenant?: string

  async run() {
    const reused = this.tenant ? await RequestContext.asSystem('bench', () => Tenant.findBy('slug', this.tenant)) : null
    const count = this.count
    const tenant =
      reused ??
      (await RequestContext.asSystem('bench', () =>
        Tenant.create({
          slug: `bench-inbox-${Date.now()}`,
          name: 'Comune del banco di prova',
          fiscalCode: '00000000000',
          settings: {},
        })
      ))
    await RequestContext.run({ tenant: tenant.ref, actor: { userId: null, label: 'system:bench' } }, async () => {
      if (!reused) await this.#load(tenant, count)
      await this.#time(tenant, count)
    })
  }

  async #load(tenant: Tenant, count: number) {
    await pluginService.enable(tenant, 'refezione')
    const citizen = await User.create({
      email: `bench-${tenant.id}@bench.example`,
      fullName: 'Cittadino del banco',
      fiscalCode: null,
      password: null,
      isPlatformAdmin: false,
      locale: 'it',
    })
    const form = await Form.findByOrFail('key', 'refezione.iscrizione')
    const version = await FormVersion.query().where('form_id', form.id).orderBy('version', 'desc').firstOrFail()
    const sample = JSON.parse(
      readFileSync(new URL('../../forms/refezione/refezione.iscrizione.json', import.meta.url), 'utf8')
    ).sample as Record<string, Record<string, unknown>>
    const cipher = currentDataCipher()
    const format = db.connection().dialect.dateTimeFormat
    const start = DateTime.fromISO('2025-03-01T08:00:00', { zone: 'Europe/Rome' })
    // Two school years of applications, evenly in time; statuses as an office would have them.
    const minutesApart = (2 * 365 * 24 * 60) / count
    const statuses = [...INBOX_STATUSES, 'accepted', 'accepted', 'protocolled', 'draft']
    const began = performance.now()
    const SLICE = 400
    for (let first = 0; first < count; first += SLICE) {
      const rows: Array<Record<string, unknown>> = []
      const terms: string[][] = []
      for (let n = first; n < Math.min(count, first + SLICE); n++) {
        const data = {
          ...sample,
          payer: { ...sample.payer, last_name: SURNAMES[n % 10], first_name: NAMES[(n >> 3) % 10] },
          student: {
            ...sample.student,
            last_name: SURNAMES[n % 10],
            first_name: NAMES[n % 7],
            fiscal_code: fiscalCode(n),
          },
        }
        const status = statuses[n % statuses.length]
        const at = start.plus({ minutes: Math.floor(n * minutesApart) }).toFormat(format)
        rows.push({
          tenant_id: tenant.id,
          form_id: form.id,
          form_version_id: version.id,
          form_key: form.key,
          applicant_user_id: citizen.id,
          submitted_by_user_id: citizen.id,
          on_behalf: false,
          status,
          data: cipher.encrypt(data),
          protocol_number: status === 'draft' || status === 'submitted' ? null : `2026/${n}`,
          submitted_at: status === 'draft' ? null : at,
          lang: 'it',
          created_at: at,
          updated_at: at,
        })
        terms.push(status === 'draft' ? [] : searchHashes(cipher, data))
      }
      await db.transaction(async (trx) => {
        await trx.table('submissions').multiInsert(rows)
        // The rows just written, in order (one writer: the bench), whatever the engine returns on insert.
        const ids = (
          await trx
            .from('submissions')
            .where('tenant_id', tenant.id)
            .orderBy('id', 'desc')
            .limit(rows.length)
            .select('id')
        )
          .map((r) => r.id as number)
          .reverse()
        const termRows = ids.flatMap((id, i) =>
          terms[i].map((term) => ({ tenant_id: tenant.id, submission_id: id, term }))
        )
        for (let i = 0; i < termRows.length; i += 400) {
          await trx.table('submission_search_terms').multiInsert(termRows.slice(i, i + 400))
        }
      })
    }
    // What autovacuum does on a live database after a load: statistics for the planner.
    await db.rawQuery(db.connection().dialect.name === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE')
    this.logger.log(
      `  loaded ${count} submissions in ${((performance.now() - began) / 1000).toFixed(1)} s (tenant ${tenant.slug})`
    )
  }

  async #time(tenant: Tenant, count: number) {
    const ids = await db
      .from('submissions')
      .where('tenant_id', tenant.id)
      .where('status', 'accepted')
      .orderBy('id', 'desc')
      .select('id')
    const deepAccepted = ids[Math.floor(ids.length * 0.9)].id as number
    const all = await db.from('submissions').where('tenant_id', tenant.id).max('id as max').min('id as min').first()
    const deep = Math.floor(all.min + (all.max - all.min) * 0.1)
    const cases: Array<[string, Record<string, string>]> = [
      ['first page, no filter', {}],
      ['page 90% deep, no filter', { after: String(deep) }],
      [
        'first page, status + form + dates',
        { status: 'accepted', form: 'refezione.iscrizione', from: '2025-09-01', to: '2026-08-31' },
      ],
      [
        'page 90% deep, status + form',
        { status: 'accepted', form: 'refezione.iscrizione', after: String(deepAccepted) },
      ],
      ['first page, school year 2025/2026 + status', { school_year: '2025/2026', status: 'protocolled' }],
      ['search by surname + first name', { q: 'Rossi Giulia' }],
      ['search by codice fiscale', { q: fiscalCode(count - 7) }],
    ]
    // The counts per status alone: from the counters the database keeps (what GET /inbox reads
    // without dates or a search), and counted from the index as they were before the counters.
    const keys = ['refezione.iscrizione']
    const countCases: Array<[string, () => Promise<unknown>]> = [
      [
        'counts alone, from the counters',
        () =>
          db
            .from('submission_status_counts')
            .where('tenant_id', tenant.id)
            .whereIn('form_key', keys)
            .whereIn('status', [...INBOX_STATUSES])
            .select('status')
            .sum('total as total')
            .groupBy('status'),
      ],
      [
        'counts alone, counted (before the counters)',
        () =>
          db
            .from('submissions')
            .where('tenant_id', tenant.id)
            .whereIn('form_key', keys)
            .whereIn('status', [...INBOX_STATUSES])
            .select('status')
            .count('* as total')
            .groupBy('status'),
      ],
    ]
    const results: Record<string, { best: number; median: number; p95: number; cpu: number }> = {}
    const round = (t: number) => Number(t.toFixed(2))
    const ms = (t: number) => `${t.toFixed(1).padStart(7)} ms`
    // A shared machine shows in the median and the tail; the best call is the query's own cost.
    this.logger.log(`  (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`)
    const timed: Array<[string, () => Promise<number>]> = [
      ...cases.map(([label, query]): [string, () => Promise<number>] => {
        const { filters, problems } = parseInboxQuery(query)
        if (problems.length) throw new Error(`${label}: ${JSON.stringify(problems)}`)
        return [label, async () => (await inboxPage(tenant, filters, 'it')).submissions.length]
      }),
      ...countCases.map(([label, run]): [string, () => Promise<number>] => [label, async () => (await run(), 0)]),
    ]
    for (const [label, call] of timed) {
      for (let i = 0; i < 3; i++) await call()
      const times: number[] = []
      let shown = 0
      // CPU spent on the call by this process and by the database's server processes, per call:
      // on a shared, loaded machine the wall time waits for the cores, the CPU time does not.
      const cpu0 = (await databaseCpuMs()) + processCpuMs()
      for (let i = 0; i < this.runs; i++) {
        const t0 = performance.now()
        shown = await call()
        times.push(performance.now() - t0)
      }
      const cpu = ((await databaseCpuMs()) + processCpuMs() - cpu0) / this.runs
      times.sort((a, b) => a - b)
      const median = times[Math.floor(times.length / 2)]
      const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]
      const best = times[0]
      results[label] = { best: round(best), median: round(median), p95: round(p95), cpu: round(cpu) }
      this.logger.log(
        `  ${label.padEnd(44)} best ${ms(best)}   median ${ms(median)}   p95 ${ms(p95)}   cpu ${ms(cpu)}   (${shown} rows)`
      )
    }
    this.logger.log(JSON.stringify({ count, results }))
  }
}
