import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import app from '@adonisjs/core/services/app'
import SessionMiddleware from '@adonisjs/session/session_middleware'
import { SESSION_COOKIE } from '#config/session'

/**
 * Probes never open a session. Load balancers call /health and /ready every few seconds with no
 * cookie: reading the session store for them would be a query each time, and on a database not yet
 * migrated (the release step has not run) a 500 instead of the answer the orchestrator waits for.
 */
const PROBES = new Set(['/health', '/ready'])

/**
 * An answer whose session is empty (an anonymous visitor, or a logout) sets no session cookie. The
 * framework sets the cookie on every answer, and a page's anonymous request still in flight when
 * its login answers (the login page asking who is logged in, or for the list of directories) would
 * otherwise arrive after it and put back an anonymous id over the one the login had just set: the
 * next request of the page, logged in a moment before, is then answered 401. An empty session is not
 * stored anyway, so the cookie named nothing.
 */
function dropSessionCookie(ctx: HttpContext) {
  const header = ctx.response.getHeader('set-cookie')
  if (header === undefined) return
  const prefix = `${SESSION_COOKIE}=`
  const kept = (Array.isArray(header) ? header : [String(header)]).filter((c) => !c.startsWith(prefix))
  ctx.response.removeHeader('set-cookie')
  if (kept.length > 0) ctx.response.header('set-cookie', kept)
}

export default class ProbeAwareSessionMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (PROBES.has(ctx.request.url())) return next()
    const sessions = await app.container.make(SessionMiddleware)
    const result = await sessions.handle(ctx, next)
    if (ctx.session?.isEmpty) dropSessionCookie(ctx)
    return result
  }
}
