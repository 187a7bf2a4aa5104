/**
 * The `pagopa` block of a tenant's settings: who the ente is on pagoPA and how to reach it.
 *
 *   { "segregationCode": "01", "fiscalCode": "00229080338", "cbill": "AB12C",
 *     "iban": "IT60X0542811101000000123456", "postalAccount": "001234567890",
 *     "sector": "Servizi educativi", "info": "www.comune.example.it - tel. 0523 000000",
 *     "baseUrl": "https://api.platform.pagopa.it", "subscriptionKeyEnv": "PAGOPA_KEY_PIACENZA",
 *     "receiptsKeyEnv": "PAGOPA_KEY_PIACENZA_RECEIPTS", "fdrKeyEnv": "PAGOPA_KEY_PIACENZA_FDR",
 *     "timeoutMs": 10000 }
 *
 * The services sit under baseUrl at pagoPA's paths (GPD /gpd/debt-positions-service/v1, receipts
 * /gpd/payments-receipts-service/v1, FdR /fdr-org/service/v1); gpdUrl, receiptsUrl and fdrUrl
 * replace one of them. Keys are never stored: each *Env field names the environment variable that
 * holds one, and only names starting with PAGOPA_KEY_ are accepted, so settings cannot point at the
 * platform's own secrets. The segregation code is the one pagoPA assigned to the ente's IUV
 * generation point; the national ones (99, 98, 97, 96, 85, 81, 47) are refused.
 */
import { SettingsError } from '#services/tenants/settings_error'
import { segregationCodeProblem } from '#integrations/pagopa/notice_number'
import { FDR_PATH, GPD_PATH, RECEIPTS_PATH } from '#integrations/pagopa/pagopa_paths'

export interface PagopaSettings {
  segregationCode: string
  fiscalCode: string
  cbill: string | null
  iban: string
  postalAccount: string | null
  sector: string | null
  info: string | null
  gpdUrl: string
  receiptsUrl: string
  fdrUrl: string
  subscriptionKeyEnv: string
  receiptsKeyEnv: string
  fdrKeyEnv: string
  timeoutMs: number
  /**
   * Where a family pays a notice online: `{nav}` in it becomes the notice number (the demo points it
   * at the simulator's checkout, `<simulator>/pay/{nav}`); pagoPA's own checkout, where the notice
   * code is typed in, when absent.
   */
  checkoutUrl: string
}

export class PagopaSettingsError extends SettingsError {
  constructor(field: string, messages: { it: string; en: string }) {
    super('pagopa', field, messages)
    this.name = 'PagopaSettingsError'
  }
}

const KEY_ENV = /^PAGOPA_KEY_[A-Z0-9_]+$/
const FIELDS = new Set([
  'segregationCode',
  'fiscalCode',
  'cbill',
  'iban',
  'postalAccount',
  'sector',
  'info',
  'baseUrl',
  'gpdUrl',
  'receiptsUrl',
  'fdrUrl',
  'subscriptionKeyEnv',
  'receiptsKeyEnv',
  'fdrKeyEnv',
  'timeoutMs',
  'checkoutUrl',
])

/** The check digit of a numeric fiscal code (codice fiscale numerico / partita IVA). */
export function validNumericFiscalCode(code: string) {
  if (!/^\d{11}$/.test(code)) return false
  let sum = 0
  for (let i = 0; i < 10; i++) {
    const digit = Number(code[i])
    if (i % 2 === 0) sum += digit
    else sum += digit * 2 > 9 ? digit * 2 - 9 : digit * 2
  }
  return (10 - (sum % 10)) % 10 === Number(code[10])
}

/** ISO 13616: letters moved to the end and turned into numbers, the whole mod 97 must be 1. */
export function validIban(iban: string) {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false
  if (iban.startsWith('IT') && iban.length !== 27) return false
  const digits = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  return BigInt(digits) % 97n === 1n
}

function text(block: Record<string, unknown>, field: string, max: number, required: boolean): string | null {
  const value = block[field]
  if (value === undefined || value === null || value === '') {
    if (!required) return null
    throw new PagopaSettingsError(field, { it: 'obbligatorio', en: 'required' })
  }
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new PagopaSettingsError(field, {
      it: `deve essere un testo di al massimo ${max} caratteri`,
      en: `must be a text of at most ${max} characters`,
    })
  }
  return value.trim()
}

function url(block: Record<string, unknown>, field: string, required: boolean): string | null {
  const value = text(block, field, 500, required)
  if (value === null) return null
  const parsed = URL.canParse(value) ? new URL(value) : null
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new PagopaSettingsError(field, {
      it: `deve essere un indirizzo http(s), non "${value}"`,
      en: `must be an http(s) URL, not "${value}"`,
    })
  }
  return value.replace(/\/+$/, '')
}

function keyEnv(block: Record<string, unknown>, field: string, required: boolean): string | null {
  if ('subscriptionKey' in block || 'key' in block) {
    throw new PagopaSettingsError('subscriptionKey', {
      it: 'la chiave non si salva nelle impostazioni: mettila in una variabile d’ambiente e indicane il nome in subscriptionKeyEnv',
      en: 'the key is not stored in the settings: put it in an environment variable and name it in subscriptionKeyEnv',
    })
  }
  const value = text(block, field, 100, required)
  if (value !== null && !KEY_ENV.test(value)) {
    throw new PagopaSettingsError(field, {
      it: `deve essere il nome di una variabile d'ambiente che inizia con PAGOPA_KEY_ (maiuscole, cifre, _), non "${value}"`,
      en: `must name an environment variable starting with PAGOPA_KEY_ (capitals, digits, _), not "${value}"`,
    })
  }
  return value
}

/** Reads and checks the block (null when the tenant has none); the error names the field at fault. */
export function parsePagopaSettings(value: unknown): PagopaSettings | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PagopaSettingsError('', {
      it: 'deve essere un oggetto con segregationCode, fiscalCode, iban, baseUrl e subscriptionKeyEnv',
      en: 'must be an object with segregationCode, fiscalCode, iban, baseUrl and subscriptionKeyEnv',
    })
  }
  const block = value as Record<string, unknown>
  for (const field of Object.keys(block)) {
    if (!FIELDS.has(field) && field !== 'subscriptionKey' && field !== 'key') {
      throw new PagopaSettingsError(field, { it: 'campo sconosciuto', en: 'unknown field' })
    }
  }
  const problem = segregationCodeProblem(block.segregationCode)
  if (problem) throw new PagopaSettingsError('segregationCode', problem)
  const fiscalCode = text(block, 'fiscalCode', 11, true)!
  if (!validNumericFiscalCode(fiscalCode)) {
    throw new PagopaSettingsError('fiscalCode', {
      it: `deve essere il codice fiscale numerico dell'ente (11 cifre, con la cifra di controllo giusta), non "${fiscalCode}"`,
      en: `must be the ente's numeric fiscal code (11 digits with the right check digit), not "${fiscalCode}"`,
    })
  }
  const cbill = text(block, 'cbill', 5, false)
  if (cbill !== null && !/^[A-Za-z0-9]{5}$/.test(cbill)) {
    throw new PagopaSettingsError('cbill', {
      it: 'deve essere il codice CBILL dell’ente: 5 lettere o cifre',
      en: 'must be the ente’s CBILL code: 5 letters or digits',
    })
  }
  const iban = text(block, 'iban', 34, true)!.replace(/\s/g, '').toUpperCase()
  if (!validIban(iban)) {
    throw new PagopaSettingsError('iban', {
      it: `"${iban}" non è un IBAN valido (controlla le cifre di controllo)`,
      en: `"${iban}" is not a valid IBAN (check its check digits)`,
    })
  }
  const postalAccount = text(block, 'postalAccount', 12, false)
  if (postalAccount !== null && !/^\d{1,12}$/.test(postalAccount)) {
    throw new PagopaSettingsError('postalAccount', {
      it: 'deve essere il numero del conto corrente postale: fino a 12 cifre',
      en: 'must be the postal account number: up to 12 digits',
    })
  }
  const base = url(block, 'baseUrl', !('gpdUrl' in block && 'receiptsUrl' in block && 'fdrUrl' in block))
  const subscriptionKeyEnv = keyEnv(block, 'subscriptionKeyEnv', true)!
  const timeoutMs = block.timeoutMs ?? 10_000
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1000 || timeoutMs > 120_000) {
    throw new PagopaSettingsError('timeoutMs', {
      it: 'deve essere un numero intero di millisecondi tra 1000 e 120000',
      en: 'must be a whole number of milliseconds between 1000 and 120000',
    })
  }
  return {
    segregationCode: block.segregationCode as string,
    fiscalCode,
    cbill: cbill?.toUpperCase() ?? null,
    iban,
    postalAccount: postalAccount?.padStart(12, '0') ?? null,
    sector: text(block, 'sector', 100, false),
    info: text(block, 'info', 200, false),
    gpdUrl: url(block, 'gpdUrl', false) ?? `${base}${GPD_PATH}`,
    receiptsUrl: url(block, 'receiptsUrl', false) ?? `${base}${RECEIPTS_PATH}`,
    fdrUrl: url(block, 'fdrUrl', false) ?? `${base}${FDR_PATH}`,
    subscriptionKeyEnv,
    receiptsKeyEnv: keyEnv(block, 'receiptsKeyEnv', false) ?? subscriptionKeyEnv,
    fdrKeyEnv: keyEnv(block, 'fdrKeyEnv', false) ?? subscriptionKeyEnv,
    timeoutMs,
    checkoutUrl: url(block, 'checkoutUrl', false) ?? PAGOPA_CHECKOUT,
  }
}

/** pagoPA's public checkout: the family types in the notice code and the ente's fiscal code. */
export const PAGOPA_CHECKOUT = 'https://checkout.pagopa.it/'

/** The link that pays one notice: the checkout with `{nav}` filled in. */
export function checkoutLink(settings: Pick<PagopaSettings, 'checkoutUrl'>, nav: string) {
  return settings.checkoutUrl.replaceAll('{nav}', encodeURIComponent(nav))
}
