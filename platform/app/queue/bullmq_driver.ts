import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { Queue, QueueEvents, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq'
import { runJob } from '#queue/run_job'
import { untilQuiet } from '#queue/until_quiet'
import { redisOptionsOf } from '#services/infrastructure/redis_url'
import { JobStore, errorText, isMissingTable, withoutPersonalData } from '#queue/job_store'
import { RequestGate } from '#queue/request_gate'
import type { RequestLoadSignal } from '#queue/in_process_driver'
import {
  UnknownJobError,
  isPermanent,
  type EnqueueOptions,
  type JobDefinition,
  type JobEnvelope,
  type JobQueue,
} from '#queue/types'

/** How many times a job whose worker died is taken again before it is failed (a job that kills its worker). */
const MAX_STALLS = 5

type Logger = { info(msg: string): void; error(msg: string): void; warn?(msg: string): void }

export interface BullMQQueueOptions {
  db: Database
  queueName?: string
  prefix?: string
  /** How often the outbox is looked at when nothing wakes the relay (default 1 s). */
  pollMs?: number
  /**
   * BullMQ's lock on a running job (default 30 s, renewed while it runs): a job
   * whose worker died is taken again after it, by the stalled-job check.
   */
  leaseMs?: number
  /** Jobs one process runs at the same time (default 4). */
  concurrency?: number
  /** How long dispatched rows (and with them their key) stay in the outbox (default 7 days). */
  retentionMs?: number
  /**
   * The queue's name in the `jobs` table (default `<prefix>:<queueName>`). The
   * application gives the in-process driver's name, so that rows written before
   * a switch of driver are still dispatched after it.
   */
  outbox?: string
  /**
   * The HTTP requests this process answers, when it runs jobs too (`PROCESS_ROLE=all`): as the
   * in-process driver does, a job taken while a request is in flight waits for the last one to end
   * (`RequestGate`), so that a burst of sendings is answered first; under a load that does not stop
   * for `maxHoldMs` (default 15 s), jobs run one at a time.
   */
  yieldTo?: { load: RequestLoadSignal; maxHoldMs?: number }
}

/** BullMQ reserves ':' in ids; the business key keeps its meaning with another separator. */
function bullId(key: string) {
  return key.replaceAll(':', '|')
}

/**
 * BullMQ on Redis: the production driver, so that workers scale out across
 * processes and machines. A job is first a row of the `jobs` table (the
 * outbox), written in the caller's transaction; a relay then adds each
 * committed row to BullMQ with jobId = its key and marks it dispatched. A
 * crash between the two adds the same jobId again later, which BullMQ
 * ignores. The table's unique key makes enqueuing twice a no-op even after
 * BullMQ forgot the job (completed and failed jobs are kept a week); a Redis
 * outage delays jobs but loses none, since they wait in the database.
 * Scheduled (cron) jobs are BullMQ job schedulers, kept in Redis.
 */
export class BullMQQueue implements JobQueue {
  readonly driver = 'bullmq' as const
  readonly shared = true
  #definitions = new Map<string, JobDefinition<unknown>>()
  #store: JobStore
  #queue: Queue | undefined
  #events: QueueEvents | undefined
  #worker: Worker | undefined
  #connection: ConnectionOptions
  #queueName: string
  #prefix: string
  #pollMs: number
  #leaseMs: number
  #concurrency: number
  #retentionMs: number
  #timer: NodeJS.Timeout | undefined
  #pruneTimer: NodeJS.Timeout | undefined
  #started = false
  #closed = false
  #relaying = false
  #again = false
  #relayFailing = false
  #yieldTo: BullMQQueueOptions['yieldTo']
  #gate: RequestGate | undefined

  constructor(
    redisUrl: string,
    private logger: Logger,
    options: BullMQQueueOptions
  ) {
    this.#connection = { ...redisOptionsOf(redisUrl), maxRetriesPerRequest: null }
    this.#queueName = options.queueName ?? 'sportello'
    this.#prefix = options.prefix ?? 'sportello'
    this.#pollMs = options.pollMs ?? 1000
    this.#leaseMs = options.leaseMs ?? 30_000
    this.#concurrency = options.concurrency ?? 4
    this.#retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000
    this.#store = new JobStore(options.db, options.outbox ?? `${this.#prefix}:${this.#queueName}`)
    this.#yieldTo = options.yieldTo
  }

  /** Connected on first use: a process that only writes jobs to the outbox never talks to Redis. */
  #bull() {
    if (!this.#queue) {
      this.#queue = new Queue(this.#queueName, { connection: this.#connection, prefix: this.#prefix })
      this.#logErrorsOf(this.#queue, 'queue')
    }
    return this.#queue
  }

  /**
   * BullMQ's objects emit 'error' for what goes wrong outside a job: Redis unreachable, a lock lost
   * under load, a command failing while closing. An 'error' event nobody listens to is thrown as an
   * uncaught exception, which stops the process: each one is logged instead, and the work it
   * concerns is taken again by BullMQ's own retries and stalled-job check.
   */
  #logErrorsOf(emitter: { on(event: 'error', listener: (error: Error) => void): unknown }, what: string) {
    emitter.on('error', (error: Error) =>
      this.logger.error(`[queue ${what}] ${withoutPersonalData(error?.message ?? String(error))}`)
    )
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
    const definition = this.#definitions.get(name)
    if (!definition) throw new UnknownJobError(name)
    await this.#bull().upsertJobScheduler(
      `schedule|${name}`,
      { pattern: cron, tz: options.tz ?? 'Europe/Rome' },
      {
        name,
        data: { payload } satisfies JobEnvelope,
        opts: {
          attempts: definition.attempts ?? 3,
          backoff: { type: 'exponential', delay: definition.backoffMs ?? 1000 },
        },
      }
    )
  }

  /** Starts the worker and the relay; rows written while no relay ran are dispatched now. */
  async start() {
    this.#started = true
    if (this.#yieldTo) this.#gate = new RequestGate(this.#yieldTo.load, this.#yieldTo.maxHoldMs)
    this.#events = new QueueEvents(this.#queueName, { connection: this.#connection, prefix: this.#prefix })
    this.#logErrorsOf(this.#events, 'events')
    this.#worker = new Worker(
      this.#queueName,
      async (job, token) => {
        const definition = this.#definitions.get(job.name)
        if (!definition) throw new UnknownJobError(job.name)
        const done = (await this.#gate?.enter()) ?? (() => {})
        try {
          await runJob(definition, job.data as JobEnvelope, {
            name: job.name,
            id: job.id ?? '',
            runId: `${job.id}:${token ?? randomUUID()}`,
            attempt: job.attemptsMade + 1,
            log: (message) => this.logger.info(`[job ${job.name} ${job.id}] ${message}`),
          })
        } catch (error) {
          // BullMQ keeps the message in Redis (failedReason): no address or code in it.
          if (error instanceof Error) error.message = withoutPersonalData(error.message)
          // BullMQ's own way of saying "no more attempts".
          if (isPermanent(error)) throw new UnrecoverableError((error as Error).message)
          throw error
        } finally {
          done()
        }
      },
      {
        connection: this.#connection,
        prefix: this.#prefix,
        // Recorded on each job it takes (processedBy): which process ran, or was running, a job.
        name: `${hostname()}:${process.pid}`,
        concurrency: this.#concurrency,
        lockDuration: this.#leaseMs,
        stalledInterval: this.#leaseMs,
        // BullMQ fails a job for good the second time its worker dies under it (its default of 1):
        // a long job (a month's billing run) whose workers are stopped twice would be dropped, its
        // work left half done. Like the in-process driver, it is taken again, up to MAX_STALLS times.
        maxStalledCount: MAX_STALLS,
      }
    )
    this.#logErrorsOf(this.#worker, 'worker')
    this.#worker.on('failed', (job, error) =>
      this.logger.error(`[job ${job?.name} ${job?.id}] attempt ${job?.attemptsMade} failed: ${error.message}`)
    )
    // A job whose worker stopped renewing its claim (killed, crashed) goes back to the queue: say so.
    this.#worker.on('stalled', (jobId) => {
      const message = `[job ${jobId}] its worker stopped before finishing it: back in the queue for another try`
      if (this.logger.warn) this.logger.warn(message)
      else this.logger.info(message)
    })
    await this.#worker.waitUntilReady()
    this.#prune()
    await this.#relay()
  }

  async close(options: { force?: boolean } = {}) {
    this.#closed = true
    clearTimeout(this.#timer)
    clearTimeout(this.#pruneTimer)
    while (this.#relaying) await new Promise((resolve) => setTimeout(resolve, 10))
    // Jobs waiting for the requests to end run now: closing waits for the jobs the worker holds.
    this.#gate?.open()
    await this.#worker?.close(options.force)
    await this.#events?.close()
    await this.#queue?.close()
  }

  async health() {
    try {
      // The client is an ioredis instance; BullMQ types it by a narrower interface.
      const client = (await this.#bull().client) as unknown as { ping(): Promise<string> }
      const pong = await client.ping()
      if (pong !== 'PONG') return { driver: this.driver, ok: false }
      if (this.#relayFailing) return { driver: this.driver, ok: false, detail: 'the outbox cannot be relayed' }
      return { driver: this.driver, ok: true }
    } catch (error) {
      return { driver: this.driver, ok: false, detail: (error as Error).message }
    }
  }

  /** Waits until no job is left in the outbox or in BullMQ (see `untilQuiet`). */
  async drained() {
    await untilQuiet(async () => {
      const inBull = await this.#bullPending()
      const outbox = await this.#store.outboxMark()
      return { inFlight: inBull + outbox.pending, lastId: outbox.lastId }
    })
  }

  /** Jobs BullMQ holds that are work in progress: waiting, running, or due to be retried. */
  async #bullPending() {
    const queue = this.#bull()
    // One snapshot of every state a job passes through (a job moving between states is never missed)...
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')
    const pending = Object.values(counts).reduce((sum, n) => sum + n, 0)
    if (pending === 0) return 0
    // ...less the next runs of schedules, which wait as delayed jobs until their time: they are
    // not work in progress, and counting them would wait until the next night. A retry counts.
    const scheduled = (await queue.getDelayed()).filter((job) => job.repeatJobKey).length
    return pending - scheduled
  }

  /** Job state by id, for tests and support: in the outbox (waiting), or BullMQ's (completed, failed, ...). */
  async state(id: string) {
    const row = await this.#store.state(id)
    if (row && row.status !== 'dispatched') return row.status
    return (await this.#bull().getJob(bullId(id)))?.getState()
  }

  /** Removes every job and schedule of this queue (test isolation only). */
  async obliterate() {
    await this.#bull().obliterate({ force: true })
  }

  #wakeAfterCommit(client: QueryClientContract | undefined) {
    const trx = client as (QueryClientContract & { after?: (event: 'commit', fn: () => void) => unknown }) | undefined
    if (trx?.isTransaction && typeof trx.after === 'function') trx.after('commit', () => void this.#relay())
    else void this.#relay()
  }

  /**
   * Moves committed outbox rows to BullMQ, earliest due first, then arms the next
   * poll. Several processes may relay the same row at once: each add carries
   * the row's key as jobId, so BullMQ keeps one job.
   */
  async #relay() {
    if (!this.#started || this.#closed) return
    if (this.#relaying) {
      this.#again = true
      return
    }
    this.#relaying = true
    try {
      do {
        this.#again = false
        const rows = await this.#store.waiting([...this.#definitions.keys()], 100)
        for (const row of rows) {
          const definition = this.#definitions.get(row.name)!
          await this.#bull().add(row.name, row.envelope, {
            jobId: bullId(row.key),
            delay: Math.max(0, row.runAt - Date.now()),
            attempts: definition.attempts ?? 3,
            backoff: { type: 'exponential', delay: definition.backoffMs ?? 1000 },
            removeOnComplete: { age: 7 * 24 * 3600 },
            removeOnFail: { age: 7 * 24 * 3600 },
          })
          await this.#store.markDispatched(row.id)
        }
        if (rows.length === 100) this.#again = true
      } while (this.#again && !this.#closed)
      if (this.#relayFailing) this.logger.info('[queue] the outbox is relayed again')
      this.#relayFailing = false
    } catch (error) {
      // Redis or the database away: the rows wait in the outbox, and the next poll tries again.
      if (!this.#relayFailing) {
        if (isMissingTable(error)) this.logger.info('[queue] waiting for the jobs table (migrations not run yet)')
        else this.logger.error(`[queue] relaying the outbox to BullMQ: ${errorText(error)}`)
      }
      this.#relayFailing = true
    } finally {
      this.#relaying = false
    }
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.#relay(), this.#pollMs)
  }

  #prune() {
    if (this.#closed) return
    this.#store
      .prune(Date.now() - this.#retentionMs)
      .catch((error) => isMissingTable(error) || this.logger.error(`[queue] pruning the outbox: ${errorText(error)}`))
    this.#pruneTimer = setTimeout(() => this.#prune(), 3600 * 1000)
    this.#pruneTimer.unref()
  }
}
