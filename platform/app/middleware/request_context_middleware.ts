import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * Opens the per-request context (tenant and actor) that model scopes and the
 * audit log read. It starts anonymous, with no tenant, and holds the request
 * for the language of its messages (i18n/catalogue.ts). It comes right after
 * the request count (request_load_middleware.ts, which wakes the job runner
 * outside any request's context), before every middleware that may answer.
 */
export default class RequestContextMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    return RequestContext.run({ request: ctx.request }, () => next())
  }
}
