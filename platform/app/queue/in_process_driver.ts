import { randomUUID } from 'node:crypto'
import { CronExpressionParser } from 'cron-parser'
import { runJob } from '#queue/run_job'
import { UnknownJobError, type EnqueueOptions, type JobDefinition, type JobEnvelope, type JobQueue } from '#queue/types'

type Logger = { info(msg: string): void; error(msg: string): void }

/**
 * The embedded driver: jobs run in this process, with retries and backoff,
 * and cron schedules on timers. Job identities are remembered for the life of
 * the process, so re-enqueueing a known job is harmless.
 */
export class InProcessQueue implements JobQueue {
  readonly driver = 'in-process' as const
  readonly shared = false
  #definitions = new Map<string, JobDefinition<unknown>>()
  #known = new Map<string, 'waiting' | 'running' | 'completed' | 'failed'>()
  #timers = new Set<NodeJS.Timeout>()
  #pending = 0
  #idleWaiters: Array<() => void> = []
  #started = false
  #closed = false
  #backlog: Array<() => void> = []
  #running = new Set<Promise<void>>()

  constructor(private logger: Logger) {}

  define<P>(name: string, definition: JobDefinition<P>) {
    this.#definitions.set(name, definition as JobDefinition<unknown>)
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}) {
    if (!this.#definitions.has(name)) throw new UnknownJobError(name)
    const id = options.jobId ?? randomUUID()
    if (this.#known.has(id)) return { id, duplicate: true }
    this.#known.set(id, 'waiting')
    this.#pending++
    const envelope: JobEnvelope = { payload, tenant: options.tenant }
    const go = () => this.#later(() => this.#attempt(name, id, envelope, 1), options.delayMs ?? 0)
    if (this.#started) go()
    else this.#backlog.push(go)
    return { id, duplicate: false }
  }

  async schedule<P>(name: string, cron: string, payload?: P, options: { tz?: string } = {}) {
    if (!this.#definitions.has(name)) throw new UnknownJobError(name)
    const expression = CronExpressionParser.parse(cron, { tz: options.tz ?? 'Europe/Rome' })
    const arm = () => {
      if (this.#closed) return
      const next = expression.next().toDate()
      this.#later(
        async () => {
          // The run's identity is its scheduled time: a second timer for the same instant is a no-op.
          await this.enqueue(name, payload, { jobId: `${name}@${next.toISOString()}` })
          arm()
        },
        Math.max(0, next.getTime() - Date.now())
      )
    }
    arm()
  }

  async start() {
    this.#started = true
    for (const go of this.#backlog.splice(0)) go()
  }

  async close() {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    // What is running finishes (its retries are not scheduled any more); what waits in memory is dropped.
    await Promise.all(this.#running)
  }

  async health() {
    return { driver: this.driver, ok: !this.#closed }
  }

  drained() {
    if (this.#pending === 0) return Promise.resolve()
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve))
  }

  status(id: string) {
    return this.#known.get(id)
  }

  #later(fn: () => unknown, delayMs: number) {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      const running = Promise.resolve(fn()).then(() => {})
      this.#running.add(running)
      void running.finally(() => this.#running.delete(running))
    }, delayMs)
    this.#timers.add(timer)
  }

  async #attempt(name: string, id: string, envelope: JobEnvelope, attempt: number) {
    const definition = this.#definitions.get(name)!
    const attempts = definition.attempts ?? 3
    this.#known.set(id, 'running')
    try {
      await runJob(definition, envelope, {
        name,
        id,
        attempt,
        log: (message) => this.logger.info(`[job ${name} ${id}] ${message}`),
      })
      this.#known.set(id, 'completed')
      this.#settle()
    } catch (error) {
      if (attempt < attempts && !this.#closed) {
        const delay = (definition.backoffMs ?? 1000) * 2 ** (attempt - 1)
        this.logger.error(
          `[job ${name} ${id}] attempt ${attempt}/${attempts} failed, retry in ${delay} ms: ${(error as Error).message}`
        )
        this.#later(() => this.#attempt(name, id, envelope, attempt + 1), delay)
      } else {
        this.logger.error(`[job ${name} ${id}] failed after ${attempt} attempts: ${(error as Error).message}`)
        this.#known.set(id, 'failed')
        this.#settle()
      }
    }
  }

  #settle() {
    this.#pending--
    if (this.#pending === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve()
  }
}
