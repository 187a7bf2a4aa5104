import { isValidEmail } from '#forms/codice_fiscale'
import { SettingsError } from '#services/tenants/settings_error'

/**
 * The `identity` block of a tenant's settings: what the portal shows of the comune around its
 * pages (AgID guidelines for PA sites: the body's logo in the header; privacy notice, accessibility
 * statement and contacts in the footer).
 *
 *   { "identity": { "logo_url": "/static/demo/logo-comune-demo.svg",
 *       "privacy_url": "https://www.comune.example.it/privacy",
 *       "accessibility_url": "https://form.agid.gov.it/view/...",
 *       "contacts": { "email": "scuola@comune.example.it", "phone": "+39 0523 492111",
 *                     "pec": "protocollo@pec.comune.example.it", "address": "Piazza Cavalli 2, 29121 Piacenza" } } }
 *
 * Every field is optional. Addresses are https (the portal is served over https and a comune's
 * pages must not load insecure content) or a path on this server ("/static/..."), never another
 * scheme: the values end up in `href` and `src` attributes of every page.
 */
export interface TenantIdentity {
  logo_url?: string
  privacy_url?: string
  accessibility_url?: string
  contacts?: { email?: string; phone?: string; pec?: string; address?: string }
}

export class IdentitySettingsError extends SettingsError {
  constructor(field: string, messages: { it: string; en: string }) {
    super('identity', field, messages)
    this.name = 'IdentitySettingsError'
  }
}

const LINKS = ['logo_url', 'privacy_url', 'accessibility_url'] as const
const CONTACTS = ['email', 'phone', 'pec', 'address'] as const
const MAX_URL = 500
/** A path served here: one leading slash, then safe characters; no "//" (another host), "..", "\". */
const LOCAL_PATH = /^\/(?!\/)[A-Za-z0-9._~\-/]*$/
const PHONE = /^\+?[0-9][0-9 ./-]{4,24}$/

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An https URL with a host, or a path on this server. */
export function isIdentityLink(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL) return false
  if (value.startsWith('/')) return LOCAL_PATH.test(value) && !value.split('/').includes('..')
  if (!URL.canParse(value)) return false
  const url = new URL(value)
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === ''
}

function unknownField(field: string, allowed: readonly string[]) {
  return new IdentitySettingsError(field, {
    it: `campo sconosciuto: sono ammessi ${allowed.join(', ')}`,
    en: `unknown field: the allowed ones are ${allowed.join(', ')}`,
  })
}

/** Reads and checks the block; the error names the field at fault, in Italian and English. */
export function parseIdentitySettings(value: unknown): TenantIdentity {
  if (value === undefined || value === null) return {}
  if (!isObject(value)) {
    throw new IdentitySettingsError('', {
      it: 'deve essere un oggetto con logo_url, privacy_url, accessibility_url e/o contacts',
      en: 'must be an object with logo_url, privacy_url, accessibility_url and/or contacts',
    })
  }
  const out: TenantIdentity = {}
  for (const [key, field] of Object.entries(value)) {
    if ((LINKS as readonly string[]).includes(key)) {
      if (!isIdentityLink(field)) {
        throw new IdentitySettingsError(key, {
          it: `deve essere un indirizzo https (https://...) o un percorso di questo server (/static/...), di al massimo ${MAX_URL} caratteri`,
          en: `must be an https address (https://...) or a path on this server (/static/...), ${MAX_URL} characters at most`,
        })
      }
      out[key as (typeof LINKS)[number]] = field
    } else if (key === 'contacts') {
      out.contacts = parseContacts(field)
    } else {
      throw unknownField(key, [...LINKS, 'contacts'])
    }
  }
  return out
}

function parseContacts(value: unknown): NonNullable<TenantIdentity['contacts']> {
  if (!isObject(value)) {
    throw new IdentitySettingsError('contacts', {
      it: 'deve essere un oggetto con email, phone, pec e/o address',
      en: 'must be an object with email, phone, pec and/or address',
    })
  }
  const out: NonNullable<TenantIdentity['contacts']> = {}
  for (const [key, field] of Object.entries(value)) {
    const where = `contacts.${key}`
    if (!(CONTACTS as readonly string[]).includes(key)) throw unknownField(where, CONTACTS)
    if (key === 'email' || key === 'pec') {
      if (!isValidEmail(field) || (field as string).length > 254) {
        throw new IdentitySettingsError(where, {
          it: 'deve essere un indirizzo e-mail completo (nome@dominio.it)',
          en: 'must be a complete e-mail address (name@domain.it)',
        })
      }
    } else if (key === 'phone') {
      if (typeof field !== 'string' || !PHONE.test(field)) {
        throw new IdentitySettingsError(where, {
          it: 'deve essere un numero di telefono: cifre, spazi e al più un "+" iniziale (ad esempio "+39 0523 492111")',
          en: 'must be a phone number: digits, spaces and at most a leading "+" (e.g. "+39 0523 492111")',
        })
      }
    } else if (typeof field !== 'string' || field.trim() === '' || field.length > 200) {
      throw new IdentitySettingsError(where, {
        it: 'deve essere un testo non vuoto di al massimo 200 caratteri',
        en: 'must be a non-empty text of at most 200 characters',
      })
    }
    out[key as (typeof CONTACTS)[number]] = field as string
  }
  return out
}

/** The identity of a tenant's stored settings (checked when saved); nothing rather than a broken block. */
export function identityOf(settings: Record<string, unknown> | null | undefined): TenantIdentity {
  try {
    return parseIdentitySettings(settings?.identity)
  } catch {
    return {}
  }
}
