import { LocalizedError, texts } from '#i18n/catalogue'
import type User from '#models/user'

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
export class AccountDisabled extends LocalizedError {
  constructor() {
    super(403, texts('auth.accountDisabled'))
  }
}
