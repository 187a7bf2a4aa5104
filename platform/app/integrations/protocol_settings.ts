/**
 * The `protocol` block of a tenant's settings: which protocol system registers
 * its documents. Absent means the local simulator.
 *
 *   { "driver": "simulator" }
 *   { "driver": "docarea", "url": "https://protocollo.comune.example/JProtocolloDocArea/services/DOCAREAProtoSoap",
 *     "codEnte": "C_G535", "username": "sportello", "passwordEnv": "DOCAREA_PASSWORD_PIACENZA",
 *     "codAoo": "AOO1", "attachments": "swa", "timeoutMs": 30000 }
 *
 * The password is never stored in the database: the block names the
 * environment variable that holds it, and only names starting with
 * DOCAREA_PASSWORD_ are accepted, so settings cannot point at the platform's
 * own secrets (APP_KEY, DATA_ENCRYPTION_KEYS, ...).
 */

import { SettingsError } from '#services/tenants/settings_error'
export type ProtocolSettings =
  | { driver: 'simulator' }
  | {
      driver: 'docarea'
      url: string
      codEnte: string
      username: string
      passwordEnv: string
      codAoo: string | null
      attachments: 'swa' | 'mtom'
      timeoutMs: number
    }

export class ProtocolSettingsError extends SettingsError {
  constructor(field: string, messages: { it: string; en: string }) {
    super('protocol', field, messages)
    this.name = 'ProtocolSettingsError'
  }
}

const PASSWORD_ENV = /^DOCAREA_PASSWORD_[A-Z0-9_]+$/

function requiredText(block: Record<string, unknown>, field: string, max = 200): string {
  const value = block[field]
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new ProtocolSettingsError(field, {
      it: `obbligatorio: un testo non vuoto di al massimo ${max} caratteri`,
      en: `required: a non-empty text of at most ${max} characters`,
    })
  }
  return value.trim()
}

/** Reads and checks the block; the error names the field at fault, in Italian and English. */
export function parseProtocolSettings(value: unknown): ProtocolSettings {
  if (value === undefined || value === null) return { driver: 'simulator' }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtocolSettingsError('', {
      it: 'deve essere un oggetto con il campo "driver"',
      en: 'must be an object with a "driver" field',
    })
  }
  const block = value as Record<string, unknown>
  if (block.driver === 'simulator') return { driver: 'simulator' }
  if (block.driver !== 'docarea') {
    throw new ProtocolSettingsError('driver', {
      it: `deve essere "simulator" o "docarea", non ${JSON.stringify(block.driver)}`,
      en: `must be "simulator" or "docarea", not ${JSON.stringify(block.driver)}`,
    })
  }
  if ('password' in block) {
    throw new ProtocolSettingsError('password', {
      it: 'la password non si salva nelle impostazioni: mettila in una variabile d’ambiente e indicane il nome in passwordEnv',
      en: 'the password is not stored in the settings: put it in an environment variable and name it in passwordEnv',
    })
  }
  const url = requiredText(block, 'url', 500)
  const parsed = URL.canParse(url) ? new URL(url) : null
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new ProtocolSettingsError('url', {
      it: `deve essere un indirizzo http(s) del servizio DOCAREA, non "${url}"`,
      en: `must be an http(s) URL of the DOCAREA service, not "${url}"`,
    })
  }
  const passwordEnv = requiredText(block, 'passwordEnv', 100)
  if (!PASSWORD_ENV.test(passwordEnv)) {
    throw new ProtocolSettingsError('passwordEnv', {
      it: `deve essere il nome di una variabile d'ambiente che inizia con DOCAREA_PASSWORD_ (maiuscole, cifre, _), non "${passwordEnv}"; la password non va scritta nelle impostazioni`,
      en: `must name an environment variable starting with DOCAREA_PASSWORD_ (capitals, digits, _), not "${passwordEnv}"; the password itself never goes in the settings`,
    })
  }
  const attachments = block.attachments ?? 'swa'
  if (attachments !== 'swa' && attachments !== 'mtom') {
    throw new ProtocolSettingsError('attachments', {
      it: `deve essere "swa" (SOAP with Attachments) o "mtom", non ${JSON.stringify(attachments)}`,
      en: `must be "swa" (SOAP with Attachments) or "mtom", not ${JSON.stringify(attachments)}`,
    })
  }
  const timeoutMs = block.timeoutMs ?? 30_000
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1000 || timeoutMs > 300_000) {
    throw new ProtocolSettingsError('timeoutMs', {
      it: 'deve essere un numero intero di millisecondi tra 1000 e 300000',
      en: 'must be a whole number of milliseconds between 1000 and 300000',
    })
  }
  return {
    driver: 'docarea',
    url,
    codEnte: requiredText(block, 'codEnte', 50),
    username: requiredText(block, 'username', 100),
    passwordEnv,
    codAoo: block.codAoo === undefined || block.codAoo === null ? null : requiredText(block, 'codAoo', 50),
    attachments,
    timeoutMs,
  }
}
