import { LocalizedError, texts } from '#i18n/catalogue'
import { Client, Filter, InvalidCredentialsError, type Entry } from 'ldapts'
import { errors as authErrors } from '@adonisjs/auth'
import User from '#models/user'
import Tenant from '#models/tenant'
import Membership from '#models/membership'
import { RequestContext } from '#services/infrastructure/request_context'
import { AccountDisabled, type IdentityProvider } from '#services/infrastructure/identity'
import {
  normaliseDn,
  parseDirectorySettings,
  type DirectorySettings,
} from '#services/infrastructure/directory_settings'
import { SettingsError } from '#services/tenants/settings_error'
import type { Role } from '#services/tenants/roles'

/** Long enough for a directory across a comune's network, short enough that a login never hangs. */
const TIMEOUT_MS = 5000
/** A person is one entry; a login name matching more is a directory the settings cannot trust. */
const MAX_GROUPS = 500

/** The directory did not answer or refused the service account: the login cannot be decided. */
export class DirectoryUnavailable extends LocalizedError {
  constructor() {
    super(503, texts('directory.unavailable'), 'directory')
  }
}

/** The tenant has no directory configured, or the tenant does not exist: said the same way. */
export class NoDirectory extends LocalizedError {
  constructor() {
    super(404, texts('directory.none'))
  }
}

/** The person is in the directory but in none of the groups that give a role here. */
export class NoDirectoryRole extends LocalizedError {
  constructor() {
    super(403, texts('directory.noRole'))
  }
}

/** The directory's entry has the e-mail of an account that logs in another way. */
export class DirectoryAccountConflict extends LocalizedError {
  constructor() {
    super(409, texts('directory.accountConflict'))
  }
}

function invalidCredentials() {
  return new authErrors.E_INVALID_CREDENTIALS('Invalid user credentials')
}

function first(entry: Entry, attribute: string): string | undefined {
  const value = entry[attribute]
  const one = Array.isArray(value) ? value[0] : value
  return typeof one === 'string' && one.trim() !== '' ? one.trim() : undefined
}

/** What the directory says of a person (whose password it accepted, at a login). */
export interface DirectoryPerson {
  dn: string
  email: string
  fullName: string
  disabled: boolean
  roles: Role[]
}

function newClient(settings: DirectorySettings) {
  return new Client({ url: settings.url, timeout: TIMEOUT_MS, connectTimeout: TIMEOUT_MS })
}

/** A connection bound as the service account (or anonymous without one); unavailable when refused. */
async function serviceClient(settings: DirectorySettings): Promise<Client> {
  const client = newClient(settings)
  const servicePassword = settings.bindPasswordEnv ? process.env[settings.bindPasswordEnv] : undefined
  try {
    if (settings.bindDn) await client.bind(settings.bindDn, servicePassword ?? '')
  } catch {
    await client.unbind().catch(() => {})
    throw new DirectoryUnavailable()
  }
  return client
}

/** The entries with this login name (at most two are asked: more than one is a name no one can trust). */
async function entriesOf(client: Client, settings: DirectorySettings, login: string): Promise<Entry[] | 'ambiguous'> {
  const userFilter = settings.userFilter.replaceAll('{username}', Filter.escape(login))
  try {
    return (
      await client.search(settings.baseDn, {
        scope: 'sub',
        filter: userFilter,
        attributes: ['mail', 'cn', 'displayName'],
        sizeLimit: 2,
      })
    ).searchEntries
  } catch (error) {
    if ((error as { code?: number }).code === 4) return 'ambiguous'
    throw new DirectoryUnavailable()
  }
}

/** Whether the entry is disabled, and the roles its groups give here. */
async function describe(client: Client, settings: DirectorySettings, entry: Entry, login: string) {
  try {
    const disabled = settings.disabledFilter
      ? (await client.search(entry.dn, { scope: 'base', filter: settings.disabledFilter, attributes: ['dn'] }))
          .searchEntries.length > 0
      : false
    const dn = Filter.escape(entry.dn)
    const groups = (
      await client.search(settings.baseDn, {
        scope: 'sub',
        filter: `(|(member=${dn})(uniqueMember=${dn}))`,
        attributes: ['dn'],
        sizeLimit: MAX_GROUPS,
      })
    ).searchEntries
    const roles = new Set<Role>()
    for (const group of groups) for (const role of settings.groupRoles[normaliseDn(group.dn)] ?? []) roles.add(role)
    const email = first(entry, 'mail')?.toLowerCase()
    const person: DirectoryPerson = {
      dn: entry.dn,
      email: email ?? '',
      fullName: first(entry, 'displayName') ?? first(entry, 'cn') ?? login,
      disabled,
      roles: [...roles].sort(),
    }
    return person
  } catch {
    throw new DirectoryUnavailable()
  }
}

/**
 * Asks the tenant's directory: finds the person by login name (as the service account, or
 * anonymously), checks the password by binding as them, then reads whether they are disabled and
 * the groups they belong to. Null when no entry has this login name (the caller answers it as a
 * wrong password).
 */
export async function askDirectory(
  settings: DirectorySettings,
  login: string,
  password: string
): Promise<DirectoryPerson | null> {
  // An LDAP bind with an empty password is an anonymous bind that succeeds: never let one through.
  if (!password) throw invalidCredentials()
  const client = await serviceClient(settings)
  try {
    const found = await entriesOf(client, settings, login)
    // More than one entry for one login name is refused like an unknown one.
    if (found === 'ambiguous') throw invalidCredentials()
    if (found.length === 0) return null
    if (found.length !== 1) throw invalidCredentials()
    const entry = found[0]
    const userClient = newClient(settings)
    try {
      await userClient.bind(entry.dn, password)
    } catch (error) {
      if (error instanceof InvalidCredentialsError) throw invalidCredentials()
      throw new DirectoryUnavailable()
    } finally {
      await userClient.unbind().catch(() => {})
    }
    return await describe(client, settings, entry, login)
  } finally {
    await client.unbind().catch(() => {})
  }
}

/**
 * Reads people from the directory as the service account, without their password (the periodic
 * sync, directory_sync.ts): for each login name, what the directory says now, null when no entry
 * has it any more, 'ambiguous' when several do. One connection for them all; a directory that
 * does not answer is DirectoryUnavailable, and nothing is concluded.
 */
export async function readDirectoryPeople(
  settings: DirectorySettings,
  logins: readonly string[]
): Promise<Map<string, DirectoryPerson | null | 'ambiguous'>> {
  const client = await serviceClient(settings)
  try {
    const out = new Map<string, DirectoryPerson | null | 'ambiguous'>()
    for (const login of logins) {
      const found = await entriesOf(client, settings, login)
      if (found === 'ambiguous' || found.length > 1) out.set(login, 'ambiguous')
      else if (found.length === 0) out.set(login, null)
      else out.set(login, await describe(client, settings, found[0], login))
    }
    return out
  } finally {
    await client.unbind().catch(() => {})
  }
}

/**
 * Staff login from the tenant's directory (`settings.directory`). The directory decides at every
 * login: a person disabled or removed there cannot log in, and the roles here become those of the
 * groups they are in now. The account is created at the first login and linked to the tenant and
 * the login name; it has no local password.
 */
export class DirectoryProvider implements IdentityProvider {
  readonly id = 'ldap'

  async authenticate(credentials: Record<string, unknown>): Promise<User> {
    const slug = String(credentials.tenant ?? '')
    const login = String(credentials.username ?? '')
      .trim()
      .toLowerCase()
    const password = String(credentials.password ?? '')
    const tenant = await Tenant.findBy('slug', slug)
    if (!tenant || tenant.settings.directory === undefined) throw new NoDirectory()
    let settings: DirectorySettings
    try {
      settings = parseDirectorySettings(tenant.settings.directory)
    } catch (error) {
      if (error instanceof SettingsError) throw new DirectoryUnavailable()
      throw error
    }
    const person = await askDirectory(settings, login, password)
    const asDirectory = <T>(fn: () => Promise<T>) =>
      RequestContext.run({ tenant: tenant.ref, actor: { userId: null, label: `directory:${tenant.slug}` } }, fn)
    // Removed, disabled or in no group any more: whatever access the account had here ends now, open
    // sessions included (they read the membership on every request), and the login is refused.
    if (!person || person.disabled || person.roles.length === 0) {
      await asDirectory(() => this.#revoke(tenant, login))
      if (!person) throw invalidCredentials()
      throw person.disabled ? new AccountDisabled() : new NoDirectoryRole()
    }
    if (!person.email) throw new DirectoryAccountConflict()
    return asDirectory(() => this.#align(tenant, login, person))
  }

  /** The membership of the account this directory linked to the login name, if any, deleted (audited). */
  async #revoke(tenant: Tenant, login: string) {
    const user = await User.query().where('directory_tenant_id', tenant.id).where('directory_login', login).first()
    if (!user) return
    const membership = await Membership.query().where('user_id', user.id).first()
    if (membership) await membership.delete()
  }

  /** The account and its membership as the directory says now, in one transaction. */
  async #align(tenant: Tenant, login: string, person: DirectoryPerson): Promise<User> {
    const { default: db } = await import('@adonisjs/lucid/services/db')
    return db.transaction(async (trx) => {
      let user = await User.query({ client: trx })
        .where('directory_tenant_id', tenant.id)
        .where('directory_login', login)
        .first()
      const sameEmail = await User.query({ client: trx }).where('email', person.email).first()
      if (sameEmail && sameEmail.id !== user?.id) throw new DirectoryAccountConflict()
      if (!user) {
        user = new User()
        user.useTransaction(trx)
        user.merge({ directoryTenantId: tenant.id, directoryLogin: login, password: null, isPlatformAdmin: false })
        user.locale = 'it'
      }
      if (user.disabledAt) throw new AccountDisabled()
      user.merge({ email: person.email, fullName: person.fullName.slice(0, 200) })
      await user.save()
      const membership = await Membership.query({ client: trx }).where('user_id', user.id).first()
      if (!membership) {
        await Membership.create({ userId: user.id, roles: person.roles }, { client: trx })
      } else if (JSON.stringify([...membership.roles].sort()) !== JSON.stringify(person.roles)) {
        membership.roles = person.roles
        await membership.useTransaction(trx).save()
      }
      return user
    })
  }
}
