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

/** The password was right but the account is disabled: said plainly, after the password check only. */
export class AccountDisabled extends Error {
  readonly status = 403
  constructor() {
    super(
      "Account disabilitato: rivolgersi all'ente per riattivarlo / account disabled: ask the administration to enable it again"
    )
  }
}

export class LocalPasswordProvider implements IdentityProvider {
  readonly id = 'local'

  async authenticate(credentials: Record<string, unknown>) {
    const email = String(credentials.email ?? '')
      .trim()
      .toLowerCase()
    const password = String(credentials.password ?? '')
    const user = await User.verifyCredentials(email, password)
    if (user.disabledAt) throw new AccountDisabled()
    return user
  }
}

export const identityProviders: Record<string, IdentityProvider> = {
  local: new LocalPasswordProvider(),
}
