import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq'
import { runJob } from '#queue/run_job'
import { UnknownJobError, type EnqueueOptions, type JobDefinition, type JobEnvelope, type JobQueue } from '#queue/types'

type Logger = { info(msg: string): void; error(msg: string): void; warn?(msg: string): void }

export interface BullMQOptions {
  /** Jobs one process runs at the same time (default 4). */
  concurrency?: number
  /**
   * How long a job stays claimed by its worker without a renewal (default 30 s; renewed at half of
   * it while the job runs). A worker that dies (SIGKILL, crash, lost machine) stops renewing: its
   * jobs go back to the queue for another worker within about twice this time.
   */
  lockMs?: number
}

/**
 * BullMQ on Redis: the production driver, so that workers scale out across
 * processes and machines. BullMQ ignores an add whose jobId it already holds,
 * which gives re-enqueueing the same harmlessness as the in-process driver;
 * completed and failed jobs are kept for a week to remember their identity.
 */
export class BullMQQueue implements JobQueue {
  readonly driver = 'bullmq' as const
  readonly shared = true
  #definitions = new Map<string, JobDefinition<unknown>>()
  #queue: Queue
  #events: QueueEvents | undefined
  #worker: Worker | undefined
  #connection: ConnectionOptions

  constructor(
    redisUrl: string,
    private logger: Logger,
    private queueName = 'sportello',
    private prefix = 'sportello',
    private options: BullMQOptions = {}
  ) {
    const url = new URL(redisUrl)
    this.#connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      maxRetriesPerRequest: null,
    }
    this.#queue = new Queue(queueName, { connection: this.#connection, prefix })
  }

  define<P>(name: string, definition: JobDefinition<P>) {
    this.#definitions.set(name, definition as JobDefinition<unknown>)
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}) {
    const definition = this.#definitions.get(name)
    if (!definition) throw new UnknownJobError(name)
    // BullMQ reserves ':' in ids; the business key keeps its meaning with another separator.
    const id = (options.jobId ?? randomUUID()).replaceAll(':', '|')
    if (await this.#queue.getJob(id)) return { id, duplicate: true }
    const envelope: JobEnvelope = { payload, tenant: options.tenant }
    await this.#queue.add(name, envelope, {
      jobId: id,
      delay: options.delayMs,
      attempts: definition.attempts ?? 3,
      backoff: { type: 'exponential', delay: definition.backoffMs ?? 1000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    })
    return { id, duplicate: false }
  }

  async schedule<P>(name: string, cron: string, payload?: P, options: { tz?: string } = {}) {
    const definition = this.#definitions.get(name)
    if (!definition) throw new UnknownJobError(name)
    await this.#queue.upsertJobScheduler(
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

  async start() {
    this.#events = new QueueEvents(this.queueName, { connection: this.#connection, prefix: this.prefix })
    this.#worker = new Worker(
      this.queueName,
      async (job) => {
        const definition = this.#definitions.get(job.name)
        if (!definition) throw new UnknownJobError(job.name)
        await runJob(definition, job.data as JobEnvelope, {
          name: job.name,
          id: job.id ?? '',
          attempt: job.attemptsMade + 1,
          log: (message) => this.logger.info(`[job ${job.name} ${job.id}] ${message}`),
        })
      },
      {
        connection: this.#connection,
        prefix: this.prefix,
        // Recorded on each job it takes (processedBy): which process ran, or was running, a job.
        name: `${hostname()}:${process.pid}`,
        concurrency: this.options.concurrency ?? 4,
        lockDuration: this.options.lockMs ?? 30_000,
        stalledInterval: this.options.lockMs ?? 30_000,
      }
    )
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
  }

  async close() {
    // Not forced: the worker stops fetching and waits for the jobs it is running to finish.
    await this.#worker?.close()
    await this.#events?.close()
    await this.#queue.close()
  }

  async health() {
    try {
      // The client is an ioredis instance; BullMQ types it by a narrower interface.
      const client = (await this.#queue.client) as unknown as { ping(): Promise<string> }
      const pong = await client.ping()
      return { driver: this.driver, ok: pong === 'PONG' }
    } catch (error) {
      return { driver: this.driver, ok: false, detail: (error as Error).message }
    }
  }

  async drained() {
    for (;;) {
      // One snapshot of every state a job passes through (a job moving between states is never
      // missed)...
      const counts = await this.#queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')
      const pending = Object.values(counts).reduce((sum, n) => sum + n, 0)
      if (pending === 0) return
      // ...less the next runs of schedules, which wait as delayed jobs until their time: they are
      // not work in progress, and counting them would wait until the next night. A retry counts.
      const scheduled = (await this.#queue.getDelayed()).filter((job) => job.repeatJobKey).length
      if (pending === scheduled) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** Job state by id, for tests and support: completed, failed, waiting, ... */
  async state(id: string) {
    return (await this.#queue.getJob(id.replaceAll(':', '|')))?.getState()
  }

  /** Removes every job and schedule of this queue (test isolation only). */
  async obliterate() {
    await this.#queue.obliterate({ force: true })
  }
}
