import { currentLanguage, t } from '#i18n/catalogue'
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
    // A tenant request: the user's read brings the tenant and the membership too (one statement,
    // user_with_tenant_provider.ts), which the tenant middleware then takes instead of reading them.
    if (typeof ctx.params.tenant === 'string') RequestContext.askTenant(ctx.params.tenant)
    await ctx.auth.authenticateUsing(['web'])
    const user = ctx.auth.getUserOrFail()
    if (user.disabledAt) {
      await ctx.auth.use('web').logout()
      ctx.session.regenerate()
      return ctx.response.unauthorized({
        errors: [{ message: t(currentLanguage(), 'auth.accountDisabled') }],
      })
    }
    RequestContext.setActor({ userId: user.id, label: user.email })
    return next()
  }
}
