import type { HttpContext } from '@adonisjs/core/http'
import Membership from '#models/membership'
import Tenant from '#models/tenant'
import { identityProviders } from '#services/infrastructure/identity_provider'
import { RequestContext } from '#services/infrastructure/request_context'
import { directoryLoginValidator, loginValidator } from '#validators/auth'
import { throttledLogin } from '#services/infrastructure/throttle'

/** A bound on the list the login page reads (a platform serves tens of bodies, not thousands). */
const MAX_DIRECTORIES = 1000

export default class AuthController {
  /**
   * `{ email, password }` for a local account; `{ provider: 'ldap', tenant, username, password }` for
   * staff whose tenant logs them in from its directory.
   */
  async login({ request, auth, response }: HttpContext) {
    let user
    if (request.input('provider') === 'ldap') {
      const credentials = await request.validateUsing(directoryLoginValidator)
      const account = `ldap:${credentials.tenant}:${credentials.username.toLowerCase()}`
      // A directory that does not answer is a 503 (DirectoryUnavailable), not the person's mistake.
      user = await throttledLogin(account, request.ip(), () => identityProviders.ldap.authenticate(credentials))
    } else {
      const { provider = 'local', ...credentials } = await request.validateUsing(loginValidator)
      user = await throttledLogin(credentials.email, request.ip(), () =>
        identityProviders[provider].authenticate(credentials)
      )
    }
    await auth.use('web').login(user)
    return response.ok({ user: await this.#describe(user.id) })
  }

  /**
   * `GET /auth/directories`: the tenants whose staff log in from a directory, for the login page's
   * choice (their names are public, as on their portals; nothing of the directory itself is told).
   */
  async directories() {
    const tenants = await Tenant.query().select('slug', 'name', 'settings').orderBy('name').limit(MAX_DIRECTORIES)
    return {
      directories: tenants
        .filter((t) => t.settings?.directory !== undefined && t.settings?.directory !== null)
        .map((t) => ({ slug: t.slug, name: t.name })),
    }
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
