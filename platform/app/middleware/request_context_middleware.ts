import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * Opens the per-request context (tenant and actor) that model scopes and the
 * audit log read. It starts empty: anonymous, no tenant.
 */
export default class RequestContextMiddleware {
  handle(_ctx: HttpContext, next: NextFn) {
    return RequestContext.run({}, () => next())
  }
}
