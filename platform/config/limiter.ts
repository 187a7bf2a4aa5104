import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/limiter'
import type { InferLimiters } from '@adonisjs/limiter/types'

/**
 * Rate limits are counted where every web process sees them: Redis when REDIS_URL is set, the
 * database (rate_limits table) otherwise. Never in memory: production runs several web
 * processes, and a per-process count would multiply every limit by their number.
 */
const limiterConfig = defineConfig({
  default: env.get('REDIS_URL') ? 'redis' : 'database',
  stores: {
    redis: stores.redis({ connectionName: 'main' }),
    database: stores.database({ tableName: 'rate_limits' }),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}

/** The limits, each overridable by an environment variable (tests and busy counters set their own). */
export const limits = {
  /** Wrong passwords for one account before it is locked for `loginBlockMinutes`. */
  loginFailuresPerAccount: env.get('LOGIN_FAILURES_PER_ACCOUNT') ?? 5,
  /** Wrong passwords from one address (any account) before the address is locked. */
  loginFailuresPerAddress: env.get('LOGIN_FAILURES_PER_ADDRESS') ?? 30,
  loginBlockMinutes: env.get('LOGIN_BLOCK_MINUTES') ?? 15,
  /** Per user and minute: rule evaluations (the portal's live fee asks one per pause in typing). */
  evaluatePerMinute: env.get('RATE_LIMIT_EVALUATE_PER_MINUTE') ?? 120,
  /** Per user and minute: PDFs built on request (fee estimate, receipt). */
  documentsPerMinute: env.get('RATE_LIMIT_DOCUMENTS_PER_MINUTE') ?? 30,
  /** Per user and minute: file uploads. */
  uploadsPerMinute: env.get('RATE_LIMIT_UPLOADS_PER_MINUTE') ?? 30,
}
