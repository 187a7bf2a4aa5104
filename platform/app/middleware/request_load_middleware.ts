import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { requestLoad } from '#services/infrastructure/request_load'

/** Counts the request as in flight until its handler and the middleware after this one have ended. */
export default class RequestLoadMiddleware {
  async handle(_ctx: HttpContext, next: NextFn) {
    const load = requestLoad()
    load.begin()
    try {
      return await next()
    } finally {
      load.end()
    }
  }
}
