import type { HttpContext } from '@adonisjs/core/http'
import Membership from '#models/membership'
import Tenant from '#models/tenant'
import { identityProviders } from '#services/infrastructure/identity_provider'
import { RequestContext } from '#services/infrastructure/request_context'
import { loginValidator } from '#validators/auth'
import { throttledLogin } from '#services/infrastructure/throttle'

export default class AuthController {
  async login({ request, auth, response }: HttpContext) {
    const { provider = 'local', ...credentials } = await request.validateUsing(loginValidator)
    const user = await throttledLogin(credentials.email, request.ip(), () =>
      identityProviders[provider].authenticate(credentials)
    )
    await auth.use('web').login(user)
    return response.ok({ user: await this.#describe(user.id) })
  }

  /** Ends the session on the server: the old id is deleted from the store, so a copied cookie is refused. */
  async logout({ auth, response, session }: HttpContext) {
    await auth.use('web').logout()
    session.clear()
    session.regenerate()
    return response.noContent()
  }

  async me({ auth }: HttpContext) {
    return { user: await this.#describe(auth.getUserOrFail().id) }
  }

  /** The user with the tenants they belong to and their roles there. */
  async #describe(userId: number) {
    return RequestContext.asSystem('auth', async () => {
      const { default: User } = await import('#models/user')
      const user = await User.findOrFail(userId)
      const memberships = await Membership.query().where('user_id', userId)
      const tenants = await Tenant.query().whereIn(
        'id',
        memberships.map((m) => m.tenantId)
      )
      return {
        id: user.id,
        email: user.email,
        fullName: user.fullName,
        isPlatformAdmin: user.isPlatformAdmin,
        tenants: tenants.map((t) => ({
          slug: t.slug,
          name: t.name,
          roles: memberships.find((m) => m.tenantId === t.id)!.roles,
        })),
      }
    })
  }
}
