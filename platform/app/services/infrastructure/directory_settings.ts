import { SettingsError } from '#services/tenants/settings_error'
import { isRole, type Role } from '#services/tenants/roles'

/**
 * The `directory` block of a tenant's settings: where its staff log in from (Allegato A, "Portale di
 * BackOffice": back-office users authenticate with the body's Active Directory credentials).
 *
 *   { "directory": {
 *       "url": "ldaps://ad.comune.example.it",
 *       "baseDn": "dc=comune,dc=example,dc=it",
 *       "bindDn": "cn=sportello,ou=servizi,dc=comune,dc=example,dc=it",
 *       "bindPasswordEnv": "LDAP_PASSWORD_PIACENZA",
 *       "userFilter": "(sAMAccountName={username})",
 *       "disabledFilter": "(userAccountControl:1.2.840.113556.1.4.803:=2)",
 *       "groupRoles": { "cn=operatori,ou=gruppi,dc=comune,dc=example,dc=it": ["operator"] } } }
 *
 * The search for the person runs as `bindDn` (its password in the environment variable named by
 * `bindPasswordEnv`, never in the settings) or anonymously without one; the password is then checked
 * by binding as the person found. `groupRoles` maps directory groups (by DN) to Sportello roles: the
 * roles are those of the groups the person is a member of at each login.
 */
export interface DirectorySettings {
  url: string
  baseDn: string
  bindDn?: string
  bindPasswordEnv?: string
  userFilter: string
  disabledFilter?: string
  groupRoles: Record<string, Role[]>
}

export class DirectorySettingsError extends SettingsError {
  /** `at`: the key inside the block (none for the block itself), or the keys down to the faulty one. */
  constructor(at: string | readonly string[], messages: { it: string; en: string }) {
    super('directory', typeof at === 'string' ? (at === '' ? [] : [at]) : at, messages)
    this.name = 'DirectorySettingsError'
  }
}

/** OpenLDAP's and Active Directory's defaults cover the usual login names. */
export const DEFAULT_USER_FILTER = '(|(uid={username})(sAMAccountName={username}))'
const FIELDS = ['url', 'baseDn', 'bindDn', 'bindPasswordEnv', 'userFilter', 'disabledFilter', 'groupRoles']
const PASSWORD_ENV = /^LDAP_PASSWORD_[A-Z0-9_]{1,60}$/
const MAX_TEXT = 500
const MAX_GROUPS = 50
/** A filter is one parenthesised expression; its inner syntax is the directory's to judge. */
const FILTER = /^\(.*\)$/s

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text(block: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = block[field]
  if (value === undefined && !required) return undefined
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) {
    throw new DirectorySettingsError(field, {
      it: `è obbligatorio: un testo di al massimo ${MAX_TEXT} caratteri`,
      en: `is required: a text of at most ${MAX_TEXT} characters`,
    })
  }
  return value.trim()
}

function filter(block: Record<string, unknown>, field: string, needsUsername: boolean): string | undefined {
  const value = text(block, field, false)
  if (value === undefined) return undefined
  if (!FILTER.test(value) || (needsUsername && !value.includes('{username}'))) {
    throw new DirectorySettingsError(field, {
      it: needsUsername
        ? 'deve essere un filtro LDAP tra parentesi che contiene {username}, per esempio (uid={username})'
        : 'deve essere un filtro LDAP tra parentesi, per esempio (employeeType=disabled)',
      en: needsUsername
        ? 'must be an LDAP filter in parentheses holding {username}, for example (uid={username})'
        : 'must be an LDAP filter in parentheses, for example (employeeType=disabled)',
    })
  }
  return value
}

/** A DN compared as directories do for our purpose: case and spaces around separators ignored. */
export function normaliseDn(dn: string): string {
  return dn
    .split(',')
    .map((part) =>
      part
        .split('=')
        .map((side) => side.trim())
        .join('=')
    )
    .join(',')
    .toLowerCase()
}

/** Reads and checks the block; the error names the field at fault, in Italian and English. */
export function parseDirectorySettings(value: unknown): DirectorySettings {
  if (!isObject(value)) {
    throw new DirectorySettingsError('', {
      it: 'deve essere un oggetto con url, baseDn e groupRoles',
      en: 'must be an object with url, baseDn and groupRoles',
    })
  }
  for (const key of Object.keys(value)) {
    if (!FIELDS.includes(key)) {
      throw new DirectorySettingsError(key, {
        it: `campo sconosciuto: sono ammessi ${FIELDS.join(', ')}`,
        en: `unknown field: the allowed ones are ${FIELDS.join(', ')}`,
      })
    }
  }
  const url = text(value, 'url', true)!
  const parsed = URL.canParse(url) ? new URL(url) : null
  if (!parsed || !['ldap:', 'ldaps:'].includes(parsed.protocol) || !parsed.hostname || parsed.username) {
    throw new DirectorySettingsError('url', {
      it: 'deve essere un indirizzo ldaps://host[:porta] (o ldap:// su una rete fidata), senza credenziali',
      en: 'must be an ldaps://host[:port] address (or ldap:// on a trusted network), with no credentials in it',
    })
  }
  const baseDn = text(value, 'baseDn', true)!
  if (!baseDn.includes('=')) {
    throw new DirectorySettingsError('baseDn', {
      it: 'deve essere un DN, per esempio dc=comune,dc=example,dc=it',
      en: 'must be a DN, for example dc=comune,dc=example,dc=it',
    })
  }
  const bindDn = text(value, 'bindDn', false)
  const bindPasswordEnv = text(value, 'bindPasswordEnv', false)
  if (bindDn && !bindPasswordEnv) {
    throw new DirectorySettingsError('bindPasswordEnv', {
      it: "con bindDn serve il nome della variabile d'ambiente che ne contiene la password (LDAP_PASSWORD_...)",
      en: 'with bindDn, name the environment variable holding its password (LDAP_PASSWORD_...)',
    })
  }
  if (bindPasswordEnv !== undefined && !PASSWORD_ENV.test(bindPasswordEnv)) {
    throw new DirectorySettingsError('bindPasswordEnv', {
      it: `deve essere il nome di una variabile d'ambiente che inizia con LDAP_PASSWORD_ (maiuscole, cifre, _); la password non va scritta nelle impostazioni`,
      en: `must name an environment variable starting with LDAP_PASSWORD_ (capitals, digits, _); the password itself never goes in the settings`,
    })
  }
  const groupRoles = value.groupRoles
  if (!isObject(groupRoles) || Object.keys(groupRoles).length === 0 || Object.keys(groupRoles).length > MAX_GROUPS) {
    throw new DirectorySettingsError('groupRoles', {
      it: `deve associare da 1 a ${MAX_GROUPS} gruppi (DN) a un elenco di ruoli`,
      en: `must map 1 to ${MAX_GROUPS} groups (DN) to a list of roles`,
    })
  }
  const roles: Record<string, Role[]> = {}
  for (const [group, list] of Object.entries(groupRoles)) {
    if (!group.includes('=') || group.length > MAX_TEXT) {
      throw new DirectorySettingsError('groupRoles', {
        it: `"${group.slice(0, 80)}" non è il DN di un gruppo (per esempio cn=operatori,ou=gruppi,dc=...)`,
        en: `"${group.slice(0, 80)}" is not a group DN (for example cn=operatori,ou=gruppi,dc=...)`,
      })
    }
    // Staff roles only: a directory never makes anyone a citizen or a platform administrator.
    if (!Array.isArray(list) || list.length === 0 || !list.every((r) => isRole(r) && r !== 'citizen')) {
      throw new DirectorySettingsError(['groupRoles', group], {
        it: 'deve essere un elenco non vuoto di ruoli del personale (operator, tenant_admin, designer, school_staff, kitchen)',
        en: 'must be a non-empty list of staff roles (operator, tenant_admin, designer, school_staff, kitchen)',
      })
    }
    roles[normaliseDn(group)] = [...new Set(list as Role[])]
  }
  return {
    url,
    baseDn,
    ...(bindDn ? { bindDn, bindPasswordEnv } : {}),
    userFilter: filter(value, 'userFilter', true) ?? DEFAULT_USER_FILTER,
    ...(value.disabledFilter !== undefined ? { disabledFilter: filter(value, 'disabledFilter', false) } : {}),
    groupRoles: roles,
  }
}
