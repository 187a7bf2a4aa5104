/**
 * pagoPA notice numbers (numero avviso, NAV) and IUVs, as the "Specifiche attuative dei codici
 * identificativi di versamento" define them for an ente with several IUV generation points:
 *
 *   NAV (18 digits) = aux digit "3" + segregation code (2) + IUV base (13) + check digits (2)
 *   IUV (17 digits) = the NAV without its aux digit
 *   check digits    = (aux + segregation code + IUV base) mod 93, two digits
 *
 * Aux digits 0, 1 and 2 belong to older schemes that are no longer to be used. The segregation code is
 * assigned by pagoPA to the ente's generation point: a tenant setting, never a constant here.
 */

export const AUX_DIGIT = '3'
export const BASE_DIGITS = 13
/** The largest 13-digit IUV base: a sequence reaching it is exhausted. */
export const MAX_BASE = 10n ** BigInt(BASE_DIGITS) - 1n

/** Segregation codes reserved for national services (pagoPA's own and central administrations). */
export const RESERVED_SEGREGATION_CODES = ['99', '98', '97', '96', '85', '81', '47'] as const

export class NoticeNumberError extends Error {
  constructor(
    message: string,
    readonly messages: { it: string; en: string } = { it: message, en: message }
  ) {
    super(message)
    this.name = 'NoticeNumberError'
  }
}

/** Why a segregation code cannot be a tenant's, in Italian and English; null when it can. */
export function segregationCodeProblem(code: unknown): { it: string; en: string } | null {
  if (typeof code !== 'string' || !/^\d{2}$/.test(code)) {
    return {
      it: `deve essere il codice di segregazione assegnato da pagoPA: due cifre, ad esempio "01", non ${JSON.stringify(code)}`,
      en: `must be the segregation code pagoPA assigned: two digits, for example "01", not ${JSON.stringify(code)}`,
    }
  }
  if ((RESERVED_SEGREGATION_CODES as readonly string[]).includes(code)) {
    return {
      it: `${code} è riservato ai servizi nazionali (${RESERVED_SEGREGATION_CODES.join(', ')}): usare il codice assegnato all'ente`,
      en: `${code} is reserved for national services (${RESERVED_SEGREGATION_CODES.join(', ')}): use the code assigned to the ente`,
    }
  }
  return null
}

/** The two check digits of a 16-digit aux + segregation + base string. */
export function checkDigits(prefix16: string): string {
  if (!/^\d{16}$/.test(prefix16)) throw new NoticeNumberError(`Check digits need 16 digits, got "${prefix16}"`)
  // 16 digits exceed Number's exact range: BigInt keeps the remainder right.
  return (BigInt(prefix16) % 93n).toString().padStart(2, '0')
}

export interface NoticeNumber {
  /** 18 digits: what the payer types or scans. */
  nav: string
  /** 17 digits: the NAV without its aux digit, GPD's `iuv`. */
  iuv: string
  segregationCode: string
  /** The 13-digit base from the tenant's sequence. */
  base: string
}

/** Builds the NAV and IUV for a segregation code and a base number (1 … 10^13 − 1). */
export function noticeNumber(segregationCode: string, base: number | bigint | string): NoticeNumber {
  const problem = segregationCodeProblem(segregationCode)
  if (problem) throw new NoticeNumberError(`Segregation code ${problem.en}`, problem)
  const value = typeof base === 'bigint' ? base : BigInt(base)
  if (value < 1n || value > MAX_BASE) {
    throw new NoticeNumberError(`The IUV base must be between 1 and ${MAX_BASE}, got ${value}`)
  }
  const digits = value.toString().padStart(BASE_DIGITS, '0')
  const prefix = `${AUX_DIGIT}${segregationCode}${digits}`
  const nav = `${prefix}${checkDigits(prefix)}`
  return { nav, iuv: nav.slice(1), segregationCode, base: digits }
}

/** Reads back an aux-3 NAV, checking its length and check digits; null when it is not one. */
export function parseNoticeNumber(nav: string): NoticeNumber | null {
  if (!/^3\d{17}$/.test(nav)) return null
  if (checkDigits(nav.slice(0, 16)) !== nav.slice(16)) return null
  return { nav, iuv: nav.slice(1), segregationCode: nav.slice(1, 3), base: nav.slice(3, 16) }
}

/** The NAV printed for people: groups of four digits ("3010 0000 0000 0001 44"). */
export function formatNoticeNumber(nav: string): string {
  return nav.replace(/(\d{4})(?=\d)/g, '$1 ')
}
