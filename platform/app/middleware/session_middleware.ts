import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import app from '@adonisjs/core/services/app'
import SessionMiddleware from '@adonisjs/session/session_middleware'

/**
 * Probes never open a session. Load balancers call /health and /ready every few seconds with no
 * cookie: reading the session store for them would be a query each time, and on a database not yet
 * migrated (the release step has not run) a 500 instead of the answer the orchestrator waits for.
 */
const PROBES = new Set(['/health', '/ready'])

export default class ProbeAwareSessionMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (PROBES.has(ctx.request.url())) return next()
    const sessions = await app.container.make(SessionMiddleware)
    return sessions.handle(ctx, next)
  }
}
