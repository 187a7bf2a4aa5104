/**
 * The `notices` block of a tenant's settings: how its notices reach families beyond the platform's
 * mail relay. Every part is optional; a channel without its part is not available to the tenant.
 *
 *   { "email": { "from": "Comune di Piacenza <noreply@comune.piacenza.it>" },
 *     "sms": { "url": "https://sms.gateway.example", "keyEnv": "SMS_KEY_PIACENZA", "sender": "ComunePC" },
 *     "io": { "url": "https://api.io.pagopa.it", "keyEnv": "IO_KEY_PIACENZA" },
 *     "post": { "enabled": true } }
 *
 * Keys are never stored: keyEnv names the environment variable holding one, and only names starting
 * with SMS_KEY_ (gateway) or IO_KEY_ (App IO service key) are accepted. The SMS sender is what the
 * phone shows: up to 11 letters, digits or spaces.
 */
import { SettingsError } from '#services/tenants/settings_error'
import { validSender } from '#integrations/sms/sms_text'

export interface NoticeSettings {
  email: { from: string | null }
  sms: { url: string; keyEnv: string; sender: string } | null
  io: { url: string; keyEnv: string } | null
  post: { enabled: boolean }
}

export class NoticeSettingsError extends SettingsError {
  constructor(field: string, messages: { it: string; en: string }) {
    super('notices', field, messages)
    this.name = 'NoticeSettingsError'
  }
}

function object(value: unknown, field: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new NoticeSettingsError(field, { it: 'deve essere un oggetto', en: 'must be an object' })
  }
  return value as Record<string, unknown>
}

function onlyFields(block: Record<string, unknown>, prefix: string, allowed: string[]) {
  const at = (key: string) => (prefix ? `${prefix}.${key}` : key)
  for (const key of Object.keys(block)) {
    if (key === 'key' || key === 'apiKey') {
      throw new NoticeSettingsError(at(key), {
        it: 'la chiave non si salva nelle impostazioni: mettila in una variabile d’ambiente e indicane il nome in keyEnv',
        en: 'the key is not stored in the settings: put it in an environment variable and name it in keyEnv',
      })
    }
    if (!allowed.includes(key)) {
      throw new NoticeSettingsError(at(key), {
        it: `campo sconosciuto: sono ammessi ${allowed.join(', ')}`,
        en: `unknown field: allowed are ${allowed.join(', ')}`,
      })
    }
  }
}

function url(block: Record<string, unknown>, field: string) {
  const value = block.url
  const parsed = typeof value === 'string' && URL.canParse(value) ? new URL(value) : null
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || value!.toString().length > 500) {
    throw new NoticeSettingsError(`${field}.url`, {
      it: `deve essere un indirizzo http(s), non ${JSON.stringify(value)}`,
      en: `must be an http(s) URL, not ${JSON.stringify(value)}`,
    })
  }
  return (value as string).replace(/\/+$/, '')
}

function keyEnv(block: Record<string, unknown>, field: string, prefix: string) {
  const value = block.keyEnv
  if (typeof value !== 'string' || !new RegExp(`^${prefix}[A-Z0-9_]+$`).test(value)) {
    throw new NoticeSettingsError(`${field}.keyEnv`, {
      it: `deve essere il nome di una variabile d'ambiente che inizia con ${prefix} (maiuscole, cifre, _), non ${JSON.stringify(value)}`,
      en: `must name an environment variable starting with ${prefix} (capitals, digits, _), not ${JSON.stringify(value)}`,
    })
  }
  return value
}

/** Reads and checks the block; the error names the field at fault, in Italian and English. */
export function parseNoticeSettings(value: unknown): NoticeSettings {
  const settings: NoticeSettings = { email: { from: null }, sms: null, io: null, post: { enabled: false } }
  const block = object(value, '')
  if (!block) return settings
  onlyFields(block, '', ['email', 'sms', 'io', 'post'])

  const email = object(block.email, 'email')
  if (email) {
    onlyFields(email, 'email', ['from'])
    if (email.from !== undefined && email.from !== null) {
      const from = email.from
      const address = typeof from === 'string' ? (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from) : ''
      if (typeof from !== 'string' || from.length > 200 || !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address.trim())) {
        throw new NoticeSettingsError('email.from', {
          it: 'deve essere un mittente email, ad esempio "Comune di Piacenza <noreply@comune.piacenza.it>"',
          en: 'must be an email sender, for example "Comune di Piacenza <noreply@comune.piacenza.it>"',
        })
      }
      settings.email.from = from.trim()
    }
  }

  const sms = object(block.sms, 'sms')
  if (sms) {
    onlyFields(sms, 'sms', ['url', 'keyEnv', 'sender'])
    const sender = sms.sender
    if (typeof sender !== 'string' || !validSender(sender)) {
      throw new NoticeSettingsError('sms.sender', {
        it: `deve essere il mittente degli SMS: fino a 11 lettere, cifre o spazi (ad esempio "ComunePC"), non ${JSON.stringify(sender)}`,
        en: `must be the SMS sender: up to 11 letters, digits or spaces (for example "ComunePC"), not ${JSON.stringify(sender)}`,
      })
    }
    settings.sms = { url: url(sms, 'sms'), keyEnv: keyEnv(sms, 'sms', 'SMS_KEY_'), sender }
  }

  const io = object(block.io, 'io')
  if (io) {
    onlyFields(io, 'io', ['url', 'keyEnv'])
    settings.io = { url: url(io, 'io'), keyEnv: keyEnv(io, 'io', 'IO_KEY_') }
  }

  const post = object(block.post, 'post')
  if (post) {
    onlyFields(post, 'post', ['enabled'])
    if (post.enabled !== undefined && typeof post.enabled !== 'boolean') {
      throw new NoticeSettingsError('post.enabled', { it: 'deve essere true o false', en: 'must be true or false' })
    }
    settings.post.enabled = post.enabled !== false
  }
  return settings
}
