import { randomUUID } from 'node:crypto'
import type { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { CronExpressionParser } from 'cron-parser'
import { runJob } from '#queue/run_job'
import { JobStore, errorText, isMissingTable, type StoredJob } from '#queue/job_store'
import {
  UnknownJobError,
  isPermanent,
  type EnqueueOptions,
  type JobDefinition,
  type JobEnvelope,
  type JobQueue,
} from '#queue/types'

type Logger = { info(msg: string): void; error(msg: string): void }

export interface InProcessQueueOptions {
  db: Database
  /** The queue's name in the `jobs` table (default `sportello`). */
  queue?: string
  /** Jobs run at the same time by this process (default 4). */
  concurrency?: number
  /** How often the table is looked at when nothing wakes the dispatcher (default 1 s). */
  pollMs?: number
  /**
   * How long a run holds its job without renewing (default 30 s; renewed every
   * third of it while the job runs). A job whose process died runs again once
   * its lease has passed.
   */
  leaseMs?: number
  /** How long completed jobs are kept, and with them their key (default 7 days). */
  retentionMs?: number
  /**
   * The HTTP requests this process answers, when it serves them too (the embedded layout): while any
   * is in flight no new job starts (jobs under way go on), and those due start as soon as the last
   * request ends, so that a burst of sendings is answered first and its receipts follow it. Under a
   * load that does not stop for `maxHoldMs` (default 15 s), jobs start again one at a time.
   */
  yieldTo?: { load: RequestLoadSignal; maxHoldMs?: number }
}

/** The longest wait a timer takes (2^31 - 1 ms): longer ones fire at once. */
const LONGEST_TIMER_MS = 2_147_483_647

/** What the runner reads of the process's requests (`RequestLoad`). */
export interface RequestLoadSignal {
  busy(): boolean
  /** Calls `listener` whenever the last request in flight ends; answers a function that stops it. */
  onIdle(listener: () => void): () => void
}

/**
 * The embedded driver: the `jobs` table is the queue, and a dispatcher in this
 * process runs it. Nothing lives only in memory: a job is a row written in the
 * caller's transaction, the dispatcher takes due rows at start, on a timer and
 * right after a commit that wrote one, holds each under a lease while it runs,
 * and records the outcome (completed, or the error and the next try with
 * exponential backoff, or failed). A process killed mid-job leaves its rows
 * `running` with a lease that expires: the next dispatcher (after a restart,
 * or another process on the same database) runs them again. Job handlers are
 * idempotent, so a second run after a crash does no harm.
 *
 * `enqueue` works without `start`: a process that only accepts work (a web
 * process when workers run apart) writes jobs, and the process that called
 * `start` runs them.
 */
export class InProcessQueue implements JobQueue {
  readonly driver = 'in-process' as const
  readonly shared = false
  #definitions = new Map<string, JobDefinition<unknown>>()
  #store: JobStore
  #concurrency: number
  #pollMs: number
  #leaseMs: number
  #retentionMs: number
  #load: RequestLoadSignal | undefined
  #maxHoldMs: number
  /** Since when requests have kept a due job from starting (null: none is known to wait). */
  #heldSince: number | null = null
  /** A wake-up came while requests were in flight: jobs may be due when the last one ends. */
  #held = false
  #stopListening: (() => void) | undefined
  #inFlight = new Map<number, Promise<void>>()
  #timer: NodeJS.Timeout | undefined
  #scheduleTimers = new Set<NodeJS.Timeout>()
  #heartbeats = new Set<NodeJS.Timeout>()
  #pruneTimer: NodeJS.Timeout | undefined
  #started = false
  #closed = false
  #ticking = false
  #again = false
  #pollFailing = false

  constructor(
    private logger: Logger,
    options: InProcessQueueOptions
  ) {
    this.#store = new JobStore(options.db, options.queue ?? 'sportello')
    this.#concurrency = options.concurrency ?? 4
    this.#pollMs = options.pollMs ?? 1000
    this.#leaseMs = options.leaseMs ?? 30_000
    this.#retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000
    this.#load = options.yieldTo?.load
    this.#maxHoldMs = options.yieldTo?.maxHoldMs ?? 15_000
  }

  define<P>(name: string, definition: JobDefinition<P>) {
    this.#definitions.set(name, definition as JobDefinition<unknown>)
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}) {
    if (!this.#definitions.has(name)) throw new UnknownJobError(name)
    const id = options.jobId ?? randomUUID()
    const envelope: JobEnvelope = { payload, tenant: options.tenant }
    const written = await this.#store.insert(
      options.client,
      { key: id, name, envelope, runAt: Date.now() + (options.delayMs ?? 0) },
      options.alongside
    )
    if (written) this.#wakeAfterCommit(options.client)
    return { id, duplicate: !written }
  }

  async enqueueMany<P>(
    name: string,
    jobs: Array<{ payload: P; jobId: string }>,
    options: Omit<EnqueueOptions, 'jobId'> = {}
  ) {
    if (!this.#definitions.has(name)) throw new UnknownJobError(name)
    const runAt = Date.now() + (options.delayMs ?? 0)
    const written = await this.#store.insertMany(
      options.client,
      jobs.map((job) => ({ key: job.jobId, name, envelope: { payload: job.payload, tenant: options.tenant }, runAt }))
    )
    if (written > 0) this.#wakeAfterCommit(options.client)
    return written
  }

  async schedule<P>(name: string, cron: string, payload?: P, options: { tz?: string } = {}) {
    if (!this.#definitions.has(name)) throw new UnknownJobError(name)
    const expression = CronExpressionParser.parse(cron, { tz: options.tz ?? 'Europe/Rome' })
    const arm = (next: Date) => {
      if (this.#closed) return
      const wait = next.getTime() - Date.now()
      // A timer waits at most 2^31 - 1 ms (24.8 days); Node runs a longer one at once. A run further
      // away (the monthly billing, seen from the 2nd of the month) is reached in steps.
      const timer = setTimeout(
        async () => {
          this.#scheduleTimers.delete(timer)
          if (wait > LONGEST_TIMER_MS) return arm(next)
          // The run's identity is its scheduled time: another process (or timer) for the same
          // instant writes the same key, which is a no-op.
          await this.enqueue(name, payload, { jobId: `${name}@${next.toISOString()}` }).catch((error) =>
            this.logger.error(`[queue] schedule ${name}: ${errorText(error)}`)
          )
          arm(expression.next().toDate())
        },
        Math.min(LONGEST_TIMER_MS, Math.max(0, wait))
      )
      this.#scheduleTimers.add(timer)
    }
    arm(expression.next().toDate())
  }

  /** Starts the dispatcher: jobs left from before (waiting, or running under a dead lease) run now. */
  async start() {
    this.#started = true
    // The jobs held back during a burst start as soon as its last request is answered (a request
    // that held nothing back costs no look at the table).
    this.#stopListening = this.#load?.onIdle(() => {
      if (!this.#held) return
      this.#held = false
      this.#tick()
    })
    this.#prune()
    this.#tick()
  }

  /**
   * Stops taking jobs and waits (up to a lease) for those running to record
   * their outcome; `force` stops renewing their leases and returns at once.
   */
  async close(options: { force?: boolean } = {}) {
    this.#closed = true
    this.#stopListening?.()
    clearTimeout(this.#timer)
    clearTimeout(this.#pruneTimer)
    for (const timer of this.#scheduleTimers) clearTimeout(timer)
    this.#scheduleTimers.clear()
    if (options.force) {
      for (const heartbeat of this.#heartbeats) clearInterval(heartbeat)
      this.#heartbeats.clear()
      return
    }
    if (this.#inFlight.size === 0) return
    let timeout: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled(this.#inFlight.values()),
      new Promise((resolve) => (timeout = setTimeout(resolve, this.#leaseMs))),
    ])
    clearTimeout(timeout)
  }

  async health() {
    if (this.#closed) return { driver: this.driver, ok: false, detail: 'closed' }
    if (this.#pollFailing) {
      // The last poll failed: ask the table now rather than report a failure the next poll would clear
      // (a database migrated a moment after the queue started is ready at once).
      try {
        await this.#store.pending([])
      } catch {
        return { driver: this.driver, ok: false, detail: 'the jobs table cannot be read' }
      }
      this.#tick()
    }
    return { driver: this.driver, ok: true }
  }

  async drained() {
    const names = [...this.#definitions.keys()]
    while (this.#inFlight.size > 0 || (await this.#store.pending(names)) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  async state(id: string) {
    return (await this.#store.state(id))?.status
  }

  /** The job's row as stored (status, attempts, last error), for tests and support. */
  details(id: string) {
    return this.#store.state(id)
  }

  /**
   * Wakes the dispatcher once the caller's transaction commits (a rolled-back
   * one wrote no job, and nothing needs to run), or now without a transaction.
   */
  #wakeAfterCommit(client: QueryClientContract | undefined) {
    const trx = client as (QueryClientContract & { after?: (event: 'commit', fn: () => void) => unknown }) | undefined
    const wake = () => {
      // A job written now is due now: if requests hold it back, its wait starts here.
      if (this.#load?.busy()) this.#heldSince ??= Date.now()
      this.#tick()
    }
    if (trx?.isTransaction && typeof trx.after === 'function') trx.after('commit', wake)
    else wake()
  }

  /**
   * Passes until nothing asks for another: each claims as many due jobs as
   * there are free slots, starts them, and looks when the next waiting job
   * falls due. A call that arrives during a pass (a commit's wake-up, a job
   * ending) asks for one more pass instead of running beside it; between the
   * last check and the end there is no await, so no wake-up is lost. Then the
   * timer is armed for the next due job or the next poll.
   */
  async #tick() {
    if (!this.#started || this.#closed) return
    if (this.#ticking) {
      this.#again = true
      return
    }
    this.#ticking = true
    let wait = this.#pollMs
    try {
      do {
        this.#again = false
        const names = [...this.#definitions.keys()]
        const free = this.#slots() - this.#inFlight.size
        if (free > 0) {
          const jobs = await this.#store.claim(names, free, this.#leaseMs)
          for (const job of jobs) this.#run(job)
          // Every slot taken: there may be more due, for when a slot frees (a job's end ticks).
          if (jobs.length === free) this.#again = true
          else this.#heldSince = null // nothing else is due
          const next = await this.#store.nextRunAt(names)
          wait = next === null ? this.#pollMs : Math.min(this.#pollMs, Math.max(0, next - Date.now()))
        } else {
          // No slot: a job's end, or the last request's, ticks again; the timer is the safety net.
          wait = this.#pollMs
          // A job that fell due by its time (a retry, a delay) while requests hold the runner back
          // starts its wait when the timer finds it.
          if (this.#load && this.#heldSince === null && this.#inFlight.size === 0) {
            const next = await this.#store.nextRunAt(names)
            if (next !== null && next <= Date.now()) this.#heldSince = Date.now()
          }
        }
      } while (this.#again && !this.#closed)
      if (this.#pollFailing) this.logger.info('[queue] the jobs table answers again')
      this.#pollFailing = false
    } catch (error) {
      // The database may be briefly unavailable (or not migrated yet): say so once, and keep polling.
      if (!this.#pollFailing) {
        if (isMissingTable(error)) this.logger.info('[queue] waiting for the jobs table (migrations not run yet)')
        else this.logger.error(`[queue] cannot read the jobs table: ${errorText(error)}`)
      }
      this.#pollFailing = true
    } finally {
      this.#ticking = false
    }
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#tick(), wait)
  }

  /** How many jobs may run now: all the slots, none while requests are in flight (see `yieldTo`). */
  #slots() {
    if (!this.#load?.busy()) {
      this.#heldSince = null
      return this.#concurrency
    }
    this.#held = true
    return this.#heldSince !== null && Date.now() - this.#heldSince >= this.#maxHoldMs ? 1 : 0
  }

  #run(job: StoredJob) {
    const definition = this.#definitions.get(job.name)!
    const attempts = definition.attempts ?? 3
    const label = `[job ${job.name} ${job.key}]`
    const heartbeat = setInterval(
      () =>
        this.#store.renew(job, this.#leaseMs).then(
          (held) => held || this.logger.error(`${label} lost its lease: another run may have taken it`),
          (error) => this.logger.error(`${label} lease not renewed: ${errorText(error)}`)
        ),
      Math.max(10, Math.floor(this.#leaseMs / 3))
    )
    this.#heartbeats.add(heartbeat)
    const work = (async () => {
      // A turn of the event loop first. On SQLite a statement answers at once, so a job, its end and
      // the next job's claim can follow each other as promise callbacks only, which run before the
      // loop reads a socket again: a queue of jobs would keep every request waiting until it was
      // empty. Here the requests already read go first.
      await new Promise((resolve) => setImmediate(resolve))
      // Taken again after its process died during the last attempt allowed: give up instead of looping.
      if (job.attempts > attempts) {
        this.logger.error(`${label} its process stopped during attempt ${job.attempts - 1}/${attempts}: failed`)
        await this.#store.fail(job, new Error(`the process running attempt ${job.attempts - 1} stopped`))
        return
      }
      try {
        await runJob(definition, job.envelope, {
          name: job.name,
          id: job.key,
          runId: `${job.lockedBy}:${job.id}`,
          attempt: job.attempts,
          log: (message) => this.logger.info(`${label} ${message}`),
        })
        await this.#store.complete(job)
      } catch (error) {
        if (job.attempts < attempts && !isPermanent(error)) {
          const delay = (definition.backoffMs ?? 1000) * 2 ** (job.attempts - 1)
          this.logger.error(
            `${label} attempt ${job.attempts}/${attempts} failed, retry in ${delay} ms: ${(error as Error).message}`
          )
          await this.#store.retry(job, Date.now() + delay, error)
        } else {
          this.logger.error(`${label} failed after ${job.attempts} attempts: ${(error as Error).message}`)
          await this.#store.fail(job, error)
        }
      }
    })()
      .catch((error) => this.logger.error(`${label} outcome not recorded: ${errorText(error)}`))
      .finally(() => {
        clearInterval(heartbeat)
        this.#heartbeats.delete(heartbeat)
        this.#inFlight.delete(job.id)
        this.#tick()
      })
    this.#inFlight.set(job.id, work)
  }

  /** Deletes completed jobs past their retention, now and then every hour. */
  #prune() {
    if (this.#closed) return
    this.#store
      .prune(Date.now() - this.#retentionMs)
      .catch(
        (error) => isMissingTable(error) || this.logger.error(`[queue] pruning finished jobs: ${errorText(error)}`)
      )
    this.#pruneTimer = setTimeout(() => this.#prune(), 3600 * 1000)
    this.#pruneTimer.unref()
  }
}
