import { AccountDisabled, type IdentityProvider } from '#services/infrastructure/identity'
import hash from '@adonisjs/core/services/hash'
import { errors as authErrors } from '@adonisjs/auth'
import User from '#models/user'

export class LocalPasswordProvider implements IdentityProvider {
  readonly id = 'local'

  async authenticate(credentials: Record<string, unknown>) {
    const email = String(credentials.email ?? '')
      .trim()
      .toLowerCase()
    const password = String(credentials.password ?? '')
    // Accounts without a local password (staff from a directory) are refused like a wrong password,
    // after the same hashing work, so the answer says nothing of how the account logs in.
    const passwordless = await User.query().where('email', email).whereNull('password').first()
    if (passwordless) {
      await hash.use('scrypt').make(password)
      throw new authErrors.E_INVALID_CREDENTIALS('Invalid user credentials')
    }
    const user = await User.verifyCredentials(email, password)
    if (user.disabledAt) throw new AccountDisabled()
    return user
  }
}

export const identityProviders: Record<string, IdentityProvider> = {
  local: new LocalPasswordProvider(),
  // Staff of a tenant with a directory (directory_login.ts), loaded on first use.
  ldap: {
    id: 'ldap',
    async authenticate(credentials) {
      const { DirectoryProvider } = await import('#services/infrastructure/directory_login')
      return new DirectoryProvider().authenticate(credentials)
    },
  },
}
