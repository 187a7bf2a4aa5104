import type { TenantRef } from '#services/request_context'

/**
 * One job interface for all scheduled and background work (monthly billing,
 * reminders, registry sync, the 9:30 kitchen cut-off). Two drivers implement
 * it: in-process (default) and BullMQ on Redis (REDIS_URL).
 */
export interface JobRunContext {
  name: string
  id: string
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
}

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
   * Whether a job enqueued by one process can be run by another: what lets web processes
   * write jobs that separate workers run (see app/services/process_role.ts).
   */
  readonly shared: boolean
  define<P>(name: string, definition: JobDefinition<P>): void
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<EnqueueResult>
  /** Runs `name` at every match of a 5-field cron expression, in the given time zone (default Europe/Rome). */
  schedule<P>(name: string, cron: string, payload?: P, options?: { tz?: string }): Promise<void>
  /** Starts consuming: only in a process whose role runs jobs (worker, all). */
  start(): Promise<void>
  /** Stops taking jobs, waits for those running to finish, and closes the connections. */
  close(): Promise<void>
  health(): Promise<QueueHealth>
  /** Resolves when no job is waiting or running (used by tests and graceful shutdown). */
  drained(): Promise<void>
}

export interface JobEnvelope {
  payload: unknown
  tenant?: TenantRef
}

export class UnknownJobError extends Error {
  constructor(name: string) {
    super(`No job named "${name}" is defined`)
  }
}
