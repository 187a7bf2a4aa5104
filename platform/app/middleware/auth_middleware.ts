import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { RequestContext } from '#services/request_context'

/** Refuses anonymous requests with 401 and records the actor for auditing. */
export default class AuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    await ctx.auth.authenticateUsing(['web'])
    const user = ctx.auth.getUserOrFail()
    RequestContext.setActor({ userId: user.id, label: user.email })
    return next()
  }
}
