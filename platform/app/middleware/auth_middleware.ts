import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * Refuses anonymous requests with 401 and records the actor for auditing. The user is read
 * afresh on every request (the session holds only the id), so a disabled account is refused here
 * at its next request, and its session is ended.
 */
export default class AuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    await ctx.auth.authenticateUsing(['web'])
    const user = ctx.auth.getUserOrFail()
    if (user.disabledAt) {
      await ctx.auth.use('web').logout()
      ctx.session.regenerate()
      return ctx.response.unauthorized({
        errors: [
          {
            message:
              "Account disabilitato: rivolgersi all'ente per riattivarlo / account disabled: ask the administration to enable it again",
          },
        ],
      })
    }
    RequestContext.setActor({ userId: user.id, label: user.email })
    return next()
  }
}
