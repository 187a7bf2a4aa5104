import { internalErrorBody } from '#exceptions/handler'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * The last check before a response is written. AdonisJS writes headers after the request's own
 * error handling, so a header Node refuses (a raw file name with "Ș" in it: ERR_INVALID_CHAR)
 * would throw where nothing catches it and take the process down. Whatever a controller or a
 * plugin set, each header is checked here: one Node would refuse is dropped, logged, and the
 * request answers 500 in the platform's error shape; the process keeps serving.
 */
export default class ResponseGuardMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    try {
      return await next()
    } finally {
      const bad = invalidHeaders(ctx.response.getHeaders())
      if (bad.length > 0) {
        for (const name of bad) ctx.response.removeHeader(name)
        ctx.logger.error({ headers: bad }, 'response header refused by Node: answered 500 instead')
        ctx.response.status(500).send(internalErrorBody(ctx))
      }
    }
  }
}

/** Names of the headers Node would refuse to write. */
export function invalidHeaders(headers: Record<string, unknown>): string[] {
  const bad: string[] = []
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name)
      for (const one of Array.isArray(value) ? value : [value]) validateHeaderValue(name, one)
    } catch {
      bad.push(name)
    }
  }
  return bad
}
