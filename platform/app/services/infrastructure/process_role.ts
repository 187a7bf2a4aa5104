/**
 * What this process does, decided here and nowhere else. One build runs in three roles:
 *
 * - `web`: HTTP only. Requests write jobs (enqueue) but this process never runs one, so web
 *   processes can be added or stopped at will behind a load balancer.
 * - `worker`: no HTTP. Runs the job consumers, whatever moves committed jobs to them, and the
 *   scheduler (cron jobs). Any number of workers may run: schedules are registered idempotently
 *   and each run of a schedule has one identity, so two workers never fire it twice.
 * - `all`: both in one process, the embedded default (`npm start`, the tests).
 *
 * The role comes from PROCESS_ROLE; outside production it defaults to `all`, in production it
 * must be said. `bin/server.ts` starts the HTTP server unless the role is `worker`;
 * `bin/worker.ts` is the worker's entry. The Sportello provider asks `roleDuties()` what to start.
 * Commands (`node ace ...`) have no role: they start no consumer and no schedule.
 */
export const PROCESS_ROLES = ['web', 'worker', 'all'] as const
export type ProcessRole = (typeof PROCESS_ROLES)[number]

export interface RoleDuties {
  /** Serves HTTP (the API, the portal, /health, /ready). */
  http: boolean
  /** Takes jobs from the queue and runs them. */
  consumers: boolean
  /** Registers the cron schedules (plugins' jobs, the nightly clean-ups). */
  scheduler: boolean
  /** May start the demo's local simulators (mail capture, DOCAREA) when their ports are set. */
  simulators: boolean
}

const DUTIES: Record<ProcessRole, RoleDuties> = {
  web: { http: true, consumers: false, scheduler: false, simulators: false },
  worker: { http: false, consumers: true, scheduler: true, simulators: false },
  all: { http: true, consumers: true, scheduler: true, simulators: true },
}

export class ProcessRoleError extends Error {}

/** The role PROCESS_ROLE names: `all` when unset outside production, an error when unset in production or wrong. */
export function roleFromEnv(env: NodeJS.ProcessEnv = process.env): ProcessRole {
  const value = env.PROCESS_ROLE?.trim()
  if (!value) {
    if (env.NODE_ENV === 'production') {
      throw new ProcessRoleError(
        'PROCESS_ROLE must be set in production: "web" (HTTP), "worker" (jobs and schedules) or "all" (both in one process)'
      )
    }
    return 'all'
  }
  if (!(PROCESS_ROLES as readonly string[]).includes(value)) {
    throw new ProcessRoleError(`PROCESS_ROLE must be "web", "worker" or "all", got "${value}"`)
  }
  return value as ProcessRole
}

let current: ProcessRole | null = null

/** Called once by the entry point (bin/server.ts, bin/worker.ts) before the application boots. */
export function setProcessRole(role: ProcessRole) {
  current = role
}

/** This process's role; null in a command (`node ace ...`), which runs no job and no schedule. */
export function processRole(): ProcessRole | null {
  return current
}

export function dutiesOf(role: ProcessRole): RoleDuties {
  return DUTIES[role]
}
