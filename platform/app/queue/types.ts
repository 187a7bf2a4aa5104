import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { TenantRef } from '#services/infrastructure/request_context'

/**
 * One job interface for all scheduled and background work (monthly billing,
 * reminders, registry sync, the 9:30 kitchen cut-off). Two drivers implement
 * it: in-process (default) and BullMQ on Redis (REDIS_URL). Both keep every
 * job in the database table `jobs` first, written in the caller's transaction
 * when it gives one (see job_store.ts): a job is never lost to a crash.
 */
export interface JobRunContext {
  name: string
  /** The job's identity (its key). */
  id: string
  /**
   * This run of the job: a new value each time the job is taken (a retry, or a
   * run again after a crash). Work recorded under another run's id was begun by
   * a run that is over (see external_attempts.ts).
   */
  runId: string
  attempt: number
  tenant?: TenantRef
  log: (message: string) => void
}

export interface JobDefinition<P = unknown> {
  handle(payload: P, ctx: JobRunContext): Promise<void> | void
  /** Total tries before the job is given up (default 3). */
  attempts?: number
  /** First retry delay in ms; doubles at each retry (default 1000). */
  backoffMs?: number
}

export interface EnqueueOptions {
  /**
   * The job's identity: enqueuing again a job with the same id while it is
   * known (waiting, running, done or failed) does nothing. Use the business
   * key, e.g. `billing:piacenza:2026-11`.
   */
  jobId?: string
  delayMs?: number
  tenant?: TenantRef
  /**
   * The transaction (or connection) to write the job with. Pass the
   * transaction of the change the job follows: the job then exists if and
   * only if that change committed, and the queue is woken after the commit.
   */
  client?: QueryClientContract
  /**
   * Writes of the same transaction sent with the job's row (`client` must be given): on
   * PostgreSQL in the job's own statement, as data-modifying WITH clauses (one round trip for
   * all), elsewhere each run just before it. They run whether or not the job's key was known.
   */
  alongside?: AlongsideWrite[]
}

/** A write built and not yet run (a knex or Lucid query builder): its SQL, or run by awaiting it. */
export type AlongsideWrite = PromiseLike<unknown> & { toSQL(): { sql: string; bindings: readonly unknown[] } }

export interface EnqueueResult {
  id: string
  duplicate: boolean
}

export interface QueueHealth {
  driver: 'in-process' | 'bullmq'
  ok: boolean
  detail?: string
}

export interface JobQueue {
  readonly driver: 'in-process' | 'bullmq'
  /**
   * Whether a job enqueued by one process is run by the consumers of others, with the latency
   * of a queue: what lets web processes write jobs that separate workers run (see
   * app/services/infrastructure/process_role.ts). The in-process driver keeps its jobs in the database too,
   * but wakes only its own dispatcher, so a split layout uses BullMQ.
   */
  readonly shared: boolean
  define<P>(name: string, definition: JobDefinition<P>): void
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<EnqueueResult>
  /**
   * Many jobs of one kind at once (multi-row inserts), each with its own id; `options` (client,
   * tenant, delay) apply to all. Jobs whose id is already known are left as they are. Answers how
   * many were written. Optional: `enqueueFollowUps` falls back to one `enqueue` per job.
   */
  enqueueMany?<P>(
    name: string,
    jobs: Array<{ payload: P; jobId: string }>,
    options?: Omit<EnqueueOptions, 'jobId'>
  ): Promise<number>
  /** Runs `name` at every match of a 5-field cron expression, in the given time zone (default Europe/Rome). */
  schedule<P>(name: string, cron: string, payload?: P, options?: { tz?: string }): Promise<void>
  /** Starts consuming: only in a process whose role runs jobs (worker, all). */
  start(): Promise<void>
  /**
   * Stops taking jobs and waits for those running to record their outcome;
   * with `force`, returns at once and leaves them to their lease, as a process
   * that dies would (another run takes them once the lease has passed).
   */
  close(options?: { force?: boolean }): Promise<void>
  health(): Promise<QueueHealth>
  /** Resolves when no job is waiting or running (used by tests and graceful shutdown). */
  drained(): Promise<void>
  /** A job's state by its id (waiting, running, completed, failed, ...), for tests and support. */
  state(id: string): Promise<string | undefined>
}

export interface JobEnvelope {
  payload: unknown
  tenant?: TenantRef
}

/**
 * A failure that another attempt cannot fix (a person must look first): the
 * job is failed at once, without the remaining retries.
 */
export class PermanentJobError extends Error {
  readonly permanent = true
}

export function isPermanent(error: unknown) {
  return error instanceof PermanentJobError || (error as { permanent?: unknown } | null)?.permanent === true
}

export class UnknownJobError extends Error {
  constructor(name: string) {
    super(`No job named "${name}" is defined`)
  }
}
