import User from '#models/user'

/**
 * How a person proves who they are. Local accounts (email + password) today;
 * SPID/CIE arrive as another implementation (an OIDC relying party) returning
 * the same User, so controllers never change.
 */
export interface IdentityProvider {
  readonly id: string
  authenticate(credentials: Record<string, unknown>): Promise<User>
}

export class LocalPasswordProvider implements IdentityProvider {
  readonly id = 'local'

  async authenticate(credentials: Record<string, unknown>) {
    const email = String(credentials.email ?? '')
      .trim()
      .toLowerCase()
    const password = String(credentials.password ?? '')
    return User.verifyCredentials(email, password)
  }
}

export const identityProviders: Record<string, IdentityProvider> = {
  local: new LocalPasswordProvider(),
}
