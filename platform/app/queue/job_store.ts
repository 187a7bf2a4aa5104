import { randomUUID } from 'node:crypto'
import type { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { RawQueryBindings } from '@adonisjs/lucid/types/querybuilder'
import type { AlongsideWrite, JobEnvelope } from '#queue/types'

/**
 * The `jobs` table, shared by both drivers (see the migration for its shape).
 *
 *   waiting ──claim──▶ running ──▶ completed
 *      ▲                  │  └────▶ failed (attempts used up, or a permanent error)
 *      └──── retry ───────┘
 *      └──── lease expired (its process died): claimed again as running
 *   waiting ──relay──▶ dispatched (BullMQ: Redis holds the job from then on)
 *
 * Every write names the queue, so drivers of different queues (tests, other
 * deployments sharing a database) never touch each other's rows; claims also
 * name the jobs the process defines, so a process takes only what it can run.
 */
export type JobStatus = 'waiting' | 'running' | 'completed' | 'failed' | 'dispatched'

export interface StoredJob {
  id: number
  key: string
  name: string
  envelope: JobEnvelope
  attempts: number
  runAt: number
  lockedBy: string
}

type Row = Record<string, unknown>

function envelopeOf(row: Row): JobEnvelope {
  const tenant =
    row.tenant_id === null || row.tenant_id === undefined
      ? undefined
      : { id: Number(row.tenant_id), slug: String(row.tenant_slug) }
  return { payload: JSON.parse(String(row.payload)), ...(tenant ? { tenant } : {}) }
}

/** Error text kept for support: enough to understand, bounded so a huge message cannot bloat the table. */
export function errorText(error: unknown) {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return withoutPersonalData(text.slice(0, 2000))
}

/* Bounded pieces, so the scan stays linear on any text. */
const EMAIL = /[^\s@<>()[\]"',;:]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g
const FISCAL_CODE = /\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b/gi

/**
 * An error kept in the jobs table or the log outlives the data it is about (an SMTP refusal names
 * its recipient, a validation error may quote a codice fiscale): the addresses and codes are masked
 * before the text is stored or printed.
 */
export function withoutPersonalData(text: string) {
  return text.replace(EMAIL, '[email]').replace(FISCAL_CODE, '[codice fiscale]')
}

/** The jobs table is not there: a process started before its migrations ran (SQLite and PostgreSQL wording). */
export function isMissingTable(error: unknown) {
  return /no such table: jobs|relation "jobs" does not exist/.test(String((error as Error)?.message))
}

export class JobStore {
  constructor(
    private db: Database,
    readonly queue: string
  ) {}

  /** The connection in use now (in tests, the global transaction). */
  #client(): QueryClientContract {
    return this.db.connection()
  }

  /**
   * Writes a job unless its key is already there; true when it was written.
   * With `client` a transaction, the row commits or rolls back with it.
   */
  async insert(
    client: QueryClientContract | undefined,
    job: { key: string; name: string; envelope: JobEnvelope; runAt: number },
    alongside: AlongsideWrite[] = []
  ): Promise<boolean> {
    const now = Date.now()
    const target = client ?? this.#client()
    const insert = target
      .knexQuery()
      .table('jobs')
      .insert({
        queue: this.queue,
        key: job.key,
        name: job.name,
        payload: JSON.stringify(job.envelope.payload ?? null),
        tenant_id: job.envelope.tenant?.id ?? null,
        tenant_slug: job.envelope.tenant?.slug ?? null,
        status: 'waiting',
        attempts: 0,
        run_at: job.runAt,
        enqueued_at: now,
      })
      // On PostgreSQL a plain duplicate insert would abort the caller's transaction: never let it fail.
      .onConflict(['queue', 'key'])
      .ignore()
      .returning('id')
    if (alongside.length > 0 && target.dialect.name === 'postgres') {
      // One statement: each write a WITH clause of the job's insert. PostgreSQL runs every
      // data-modifying WITH clause exactly once, on the statement's snapshot, referenced or not.
      const parts = [...alongside.map((write) => write.toSQL()), insert.toSQL()]
      const main = parts.pop()!
      const sql = `with ${parts.map((part, i) => `"alongside_${i}" as (${part.sql})`).join(', ')} ${main.sql}`
      const bindings = [...parts.flatMap((part) => part.bindings), ...main.bindings] as RawQueryBindings
      const result = (await target.rawQuery(sql, bindings)) as {
        rows: unknown[]
      }
      return result.rows.length > 0
    }
    for (const write of alongside) await write
    const rows = (await insert) as unknown[]
    return rows.length > 0
  }

  /** `insert` for many jobs, in multi-row statements; answers how many were written (known keys are skipped). */
  async insertMany(
    client: QueryClientContract | undefined,
    jobs: Array<{ key: string; name: string; envelope: JobEnvelope; runAt: number }>
  ): Promise<number> {
    const now = Date.now()
    const target = client ?? this.#client()
    if (target.dialect.name === 'postgres') return this.#insertManyOnPostgres(target, jobs, now)
    let written = 0
    // 11 values a row: 500 rows stay under SQLite's and PostgreSQL's limits on bound parameters.
    for (let i = 0; i < jobs.length; i += 500) {
      const rows = (await (client ?? this.#client())
        .knexQuery()
        .table('jobs')
        .insert(
          jobs.slice(i, i + 500).map((job) => ({
            queue: this.queue,
            key: job.key,
            name: job.name,
            payload: JSON.stringify(job.envelope.payload ?? null),
            tenant_id: job.envelope.tenant?.id ?? null,
            tenant_slug: job.envelope.tenant?.slug ?? null,
            status: 'waiting',
            attempts: 0,
            run_at: job.runAt,
            enqueued_at: now,
          }))
        )
        .onConflict(['queue', 'key'])
        .ignore()
        .returning('id')) as unknown[]
      written += rows.length
    }
    return written
  }

  /**
   * On PostgreSQL the jobs travel as one JSON array per statement (10,000 at a time) and are
   * inserted by one INSERT … SELECT inside the server: no per-row bound parameters for the client
   * to build, one round trip per statement. Known keys are skipped as in the portable path.
   */
  async #insertManyOnPostgres(
    client: QueryClientContract,
    jobs: Array<{ key: string; name: string; envelope: JobEnvelope; runAt: number }>,
    now: number
  ): Promise<number> {
    let written = 0
    for (let i = 0; i < jobs.length; i += 10_000) {
      const rows = jobs.slice(i, i + 10_000).map((job) => ({
        k: job.key,
        n: job.name,
        p: JSON.stringify(job.envelope.payload ?? null),
        t: job.envelope.tenant?.id ?? null,
        s: job.envelope.tenant?.slug ?? null,
        r: job.runAt,
      }))
      const result = (await client.rawQuery(
        `WITH ins AS (
           INSERT INTO jobs (queue, key, name, payload, tenant_id, tenant_slug, status, attempts, run_at, enqueued_at)
           SELECT ?, s.k, s.n, s.p, s.t, s.s, 'waiting', 0, s.r, ?
           FROM json_to_recordset(?::json) AS s(k text, n text, p text, t int, s text, r bigint)
           ON CONFLICT (queue, key) DO NOTHING
           RETURNING 1)
         SELECT count(*) AS n FROM ins`,
        [this.queue, now, JSON.stringify(rows)]
      )) as { rows: Array<{ n: number | string }> }
      written += Number(result.rows[0]?.n ?? 0)
    }
    return written
  }

  /**
   * Takes up to `limit` due jobs for this process: running ones whose lease expired first (the
   * process running them died), then waiting ones whose time has come, the earliest first. Each
   * kind is taken by one atomic UPDATE. On PostgreSQL the candidates are locked with SKIP LOCKED,
   * so concurrent workers take different jobs without waiting on each other; SQLite runs one
   * writer at a time, which makes the statement atomic there.
   *
   * The two kinds are looked for apart so that each search is a range of the (queue, status,
   * run_at) index read in order and stopped at `limit`: one search for both (an OR of the two)
   * read every row of the queue, the finished jobs of the retention period included, and sorted
   * them, at each claim: a claim then cost a millisecond and more as the table grew.
   */
  async claim(names: string[], limit: number, leaseMs: number): Promise<StoredJob[]> {
    if (names.length === 0 || limit <= 0) return []
    const now = Date.now()
    const token = randomUUID()
    // Expired leases are rare: a read (no write lock) finds whether there are any.
    const orphan = await this.#due(names, 'running', now).select('id').first()
    const orphans = orphan ? await this.#take(this.#due(names, 'running', now), limit, token, now, leaseMs) : 0
    const waiting =
      orphans < limit ? await this.#take(this.#due(names, 'waiting', now), limit - orphans, token, now, leaseMs) : 0
    if (!orphans && !waiting) return []
    const rows: Row[] = await this.#client()
      .knexQuery()
      .from('jobs')
      .where('queue', this.queue)
      .where('locked_by', token)
      .where('status', 'running')
      .orderBy('run_at', 'asc')
    return rows.map((row) => ({
      id: Number(row.id),
      key: String(row.key),
      name: String(row.name),
      envelope: envelopeOf(row),
      attempts: Number(row.attempts),
      runAt: Number(row.run_at),
      lockedBy: token,
    }))
  }

  /** This queue's jobs of these names in `status` whose time has come (the run for waiting ones, the lease's end for running ones). */
  #due(names: string[], status: 'waiting' | 'running', now: number) {
    return this.#client()
      .knexQuery()
      .from('jobs')
      .where('queue', this.queue)
      .where('status', status)
      .where(status === 'waiting' ? 'run_at' : 'locked_until', '<=', now)
      .whereIn('name', names)
  }

  /** Marks up to `limit` of `due`, the earliest first, as running for the run `token`; answers how many. */
  async #take(
    due: ReturnType<QueryClientContract['knexQuery']>,
    limit: number,
    token: string,
    now: number,
    leaseMs: number
  ): Promise<number> {
    const client = this.#client()
    const candidates = due.select('id').orderBy('run_at', 'asc').limit(limit)
    if (client.dialect.name === 'postgres') candidates.forUpdate().skipLocked()
    const claimed = await client
      .knexQuery()
      .from('jobs')
      .whereIn('id', candidates)
      .update({
        status: 'running',
        locked_by: token,
        locked_until: now + leaseMs,
        attempts: client.getWriteClient().raw('attempts + 1'),
      })
    return Number(claimed)
  }

  /** Extends a running job's lease; false when the job is no longer this run's (its lease was lost). */
  async renew(job: StoredJob, leaseMs: number) {
    const updated = await this.#mine(job).update({ locked_until: Date.now() + leaseMs })
    return Number(updated) > 0
  }

  async complete(job: StoredJob) {
    return this.#finish(job, { status: 'completed', last_error: null })
  }

  async fail(job: StoredJob, error: unknown) {
    return this.#finish(job, { status: 'failed', last_error: errorText(error) })
  }

  /** Puts the job back to wait until `runAt`, keeping the error for support. */
  async retry(job: StoredJob, runAt: number, error: unknown) {
    const updated = await this.#mine(job).update({
      status: 'waiting',
      run_at: runAt,
      locked_by: null,
      locked_until: null,
      last_error: errorText(error),
    })
    return Number(updated) > 0
  }

  async #finish(job: StoredJob, values: { status: JobStatus; last_error: string | null }) {
    const updated = await this.#mine(job).update({
      ...values,
      locked_by: null,
      locked_until: null,
      finished_at: Date.now(),
    })
    return Number(updated) > 0
  }

  /** The job's row while this run holds it: a run that lost its lease writes nothing. */
  #mine(job: StoredJob) {
    return this.#client()
      .knexQuery()
      .from('jobs')
      .where('id', job.id)
      .where('locked_by', job.lockedBy)
      .where('status', 'running')
  }

  /** How many of these jobs are waiting (now or later) or running. */
  async pending(names?: string[]) {
    const query = this.#client()
      .knexQuery()
      .from('jobs')
      .where('queue', this.queue)
      .whereIn('status', ['waiting', 'running'])
    if (names) query.whereIn('name', names)
    const row = (await query.count('* as n').first()) as { n: unknown } | undefined
    return Number(row?.n ?? 0)
  }

  /**
   * How many jobs of the queue are waiting or running, and the id of the newest row: a job written
   * between two readings shows as a new id even when it has already left the outbox.
   */
  async outboxMark(): Promise<{ pending: number; lastId: number }> {
    const row = (await this.#client()
      .knexQuery()
      .from('jobs')
      .where('queue', this.queue)
      .select(this.#client().knexRawQuery("sum(case when status in ('waiting', 'running') then 1 else 0 end) as n"))
      .max('id as last')
      .first()) as { n: unknown; last: unknown } | undefined
    return { pending: Number(row?.n ?? 0), lastId: Number(row?.last ?? 0) }
  }

  /** When the next waiting job falls due, if one is waiting. */
  async nextRunAt(names: string[]) {
    if (names.length === 0) return null
    const row = (await this.#client()
      .knexQuery()
      .from('jobs')
      .where('queue', this.queue)
      .where('status', 'waiting')
      .whereIn('name', names)
      // The index's order, stopped at the first: `min()` beside the names' filter read every waiting row.
      .orderBy('run_at', 'asc')
      .select('run_at as next')
      .first()) as { next: unknown } | undefined
    return row?.next === null || row?.next === undefined ? null : Number(row.next)
  }

  /**
   * Waiting jobs of these names, the earliest due first (then in the order they were written), for
   * the relay to BullMQ. The order is the (queue, status, run_at) index's: a batch reads its rows
   * and no others, however many wait behind it.
   */
  async waiting(names: string[], limit: number): Promise<Array<Omit<StoredJob, 'lockedBy' | 'attempts'>>> {
    if (names.length === 0) return []
    const rows: Row[] = await this.#client()
      .knexQuery()
      .from('jobs')
      .where('queue', this.queue)
      .where('status', 'waiting')
      .whereIn('name', names)
      .orderBy('run_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
    return rows.map((row) => ({
      id: Number(row.id),
      key: String(row.key),
      name: String(row.name),
      envelope: envelopeOf(row),
      runAt: Number(row.run_at),
    }))
  }

  async markDispatched(id: number) {
    await this.#client()
      .knexQuery()
      .from('jobs')
      .where('id', id)
      .where('status', 'waiting')
      .update({ status: 'dispatched', finished_at: Date.now() })
  }

  /**
   * Deletes finished jobs (completed, or handed to BullMQ) older than the
   * retention period. Their key is forgotten with them: the work they did
   * keeps its own record (protocol entries, sent mail), so a late duplicate
   * is still harmless. Failed jobs stay for support to look at.
   */
  async prune(olderThan: number) {
    return this.#client()
      .knexQuery()
      .from('jobs')
      .where('queue', this.queue)
      .whereIn('status', ['completed', 'dispatched'])
      .where('finished_at', '<', olderThan)
      .delete()
  }

  async state(key: string): Promise<{ status: JobStatus; attempts: number; lastError: string | null } | undefined> {
    const row: Row | undefined = await this.#client()
      .knexQuery()
      .from('jobs')
      .where('queue', this.queue)
      .where('key', key)
      .first()
    if (!row) return undefined
    return {
      status: row.status as JobStatus,
      attempts: Number(row.attempts),
      lastError: (row.last_error as string | null) ?? null,
    }
  }
}
