/*
 * Environment, validated at boot: a missing or malformed variable stops the
 * application with a message naming it. Outside production the embedded
 * defaults (SQLite, in-process queue, simulators) fill what is not set, so a
 * fresh clone starts with no configuration at all.
 */
import { Env } from '@adonisjs/core/env'
import { applyEmbeddedDefaults, productionSecretProblems } from './env_defaults.js'

applyEmbeddedDefaults(process.env)

/** An optional whole number of milliseconds within bounds, or undefined when unset. */
function millisecondsBetween(name: string, value: string | undefined, min: number, max: number) {
  if (!value) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new Error(`${name} must be a whole number of milliseconds from ${min} to ${max}, got "${value}"`)
  }
  return n
}

function wholeBetween(name: string, value: string | undefined, min: number, max: number) {
  if (!value) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${value}"`)
  }
  return n
}

const env = await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  HOST: Env.schema.string({ format: 'host' }),
  APP_KEY: Env.schema.string(),
  APP_URL: Env.schema.string.optional(),
  /* Reverse proxies whose X-Forwarded-For is believed: addresses or CIDR ranges, comma separated (default loopback) */
  TRUSTED_PROXIES: Env.schema.string.optional(),
  LOG_LEVEL: Env.schema.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),

  /* Persistence: SQLite file by default, PostgreSQL when DB_CONNECTION=pg */
  DB_CONNECTION: Env.schema.enum(['sqlite', 'pg'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  PG_HOST: Env.schema.string.optional({ format: 'host' }),
  PG_PORT: Env.schema.number.optional(),
  PG_USER: Env.schema.string.optional(),
  PG_PASSWORD: Env.schema.string.optional(),
  PG_DB_NAME: Env.schema.string.optional(),
  PG_POOL_MAX: Env.schema.number.optional(),

  /* The attachment store (uploaded files): absolute, or relative to platform/ */
  STORAGE_PATH: Env.schema.string(),

  /* Queue: BullMQ on Redis when set, in-process otherwise */
  REDIS_URL: (name: string, value?: string) => {
    if (!value) return undefined
    const url = URL.canParse(value) ? new URL(value) : null
    if (!url || !['redis:', 'rediss:'].includes(url.protocol) || !url.hostname) {
      throw new Error(`${name} must be a Redis URL such as redis://127.0.0.1:6379/0, got "${value}"`)
    }
    return value
  },
  QUEUE_PREFIX: Env.schema.string.optional(),
  /* How long a running job is held before another process may run it again (default 30000 ms) */
  QUEUE_LEASE_MS: (name: string, value?: string) => millisecondsBetween(name, value, 1000, 3_600_000),
  /* How often the jobs table is polled when nothing wakes the dispatcher (default 1000 ms) */
  QUEUE_POLL_MS: (name: string, value?: string) => millisecondsBetween(name, value, 50, 60_000),
  /* Jobs a worker process runs at once (BullMQ, default 4) */
  QUEUE_CONCURRENCY: Env.schema.number.optional(),
  /* Payers the monthly billing run bills per transaction (default 500, 5000 on PostgreSQL's set-based path) */
  BILLING_PAYERS_PER_TRANSACTION: (name: string, value?: string) => wholeBetween(name, value, 1, 5000),
  /* Batch transactions of that run written at once on PostgreSQL, each on its own connection (default 2) */
  BILLING_CONCURRENT_TRANSACTIONS: (name: string, value?: string) => wholeBetween(name, value, 1, 8),
  /* How long a notice being sent is left to its sender before it is taken as interrupted (default 600000 ms) */
  NOTICE_SENDING_LEASE_MS: (name: string, value?: string) => millisecondsBetween(name, value, 1000, 86_400_000),

  /* What this process runs: web (HTTP), worker (jobs and schedules) or all; see app/services/infrastructure/process_role.ts */
  PROCESS_ROLE: Env.schema.enum.optional(['web', 'worker', 'all'] as const),

  /* Outgoing mail: an SMTP URL (smtp://user:pass@host:587); the demo uses a local capture server */
  SMTP_URL: Env.schema.string.optional(),
  MAIL_FROM: Env.schema.string.optional(),
  MAIL_CAPTURE_PORT: Env.schema.number.optional(),

  /* The demo's local DOCAREA protocol simulator (web process) and the port the seeder points piacenza at */
  DOCAREA_SIMULATOR_PORT: Env.schema.number.optional(),
  /* The host the seeder points piacenza at when the simulators run as their own service (default 127.0.0.1) */
  DOCAREA_SIMULATOR_HOST: Env.schema.string.optional({ format: 'host' }),

  /* The demo's local pagoPA, SMS gateway and App IO simulators (web process); the seeder points piacenza at them */
  GPD_SIMULATOR_PORT: Env.schema.number.optional(),
  SMS_SIMULATOR_PORT: Env.schema.number.optional(),
  IO_SIMULATOR_PORT: Env.schema.number.optional(),
  /* The host the seeder points piacenza's pagoPA, SMS and App IO at when the simulators run as their own service (default 127.0.0.1) */
  PAY_SIMULATORS_HOST: Env.schema.string.optional({ format: 'host' }),

  /* Where sessions live: database (default) or redis (default when REDIS_URL is set); cookie and memory outside production only */
  SESSION_DRIVER: Env.schema.enum(['database', 'redis', 'cookie', 'memory'] as const),

  /* Throttling (config/limiter.ts has the defaults): wrong passwords, then costly requests per user and minute */
  LOGIN_FAILURES_PER_ACCOUNT: Env.schema.number.optional(),
  LOGIN_FAILURES_PER_ADDRESS: Env.schema.number.optional(),
  LOGIN_BLOCK_MINUTES: Env.schema.number.optional(),
  RATE_LIMIT_EVALUATE_PER_MINUTE: Env.schema.number.optional(),
  RATE_LIMIT_DOCUMENTS_PER_MINUTE: Env.schema.number.optional(),
  RATE_LIMIT_UPLOADS_PER_MINUTE: Env.schema.number.optional(),

  /* AES-256-GCM keys for data encrypted at rest: "id:base64key" pairs, comma separated, first one current */
  DATA_ENCRYPTION_KEYS: Env.schema.string(),
})

// Checked once every variable is known to be there: a person must fix these, so they are printed
// plainly, one a line, and the process stops.
const secretProblems = productionSecretProblems(process.env)
if (secretProblems.length > 0) {
  process.stderr.write(`Refusing to start in production:\n  - ${secretProblems.join('\n  - ')}\n`)
  process.exit(1)
}

export default env
