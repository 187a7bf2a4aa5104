/**
 * Italian codice fiscale (persons) and IBAN checks, registered as Ajv formats
 * `codice-fiscale` and `iban`. No Node APIs: also usable in the browser.
 */

/** Shape of a personal codice fiscale; positions 7, 8, 10, 11, 13, 14, 15 may be omocodic letters. */
export const CF_PATTERN = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/

/**
 * Values of characters in odd positions (1-based) for the check character, indexed by digit
 * (0-9) or letter (A-Z): DM 23/12/1976 as summarised in specs/INTEGRATIONS.md "Codice fiscale".
 */
const ODD_DIGITS = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
const ODD_LETTERS = [
  1,
  0,
  5,
  7,
  9,
  13,
  15,
  17,
  19,
  21, // A-J share the values of 0-9
  2,
  4,
  18,
  20,
  11,
  3,
  6,
  8,
  12,
  14,
  16,
  10,
  22,
  25,
  24,
  23, // K-Z
]

/** Omocodia: the letters that replace the digits 0-9 when two people would share a code. */
const OMOCODIA_LETTERS = 'LMNPQRSTUV'
const OMOCODIA_POSITIONS = [6, 7, 9, 10, 12, 13, 14] // 0-based

function charValue(ch: string, odd: boolean): number {
  const code = ch.charCodeAt(0)
  const isDigit = code >= 48 && code <= 57
  const index = isDigit ? code - 48 : code - 65
  if (odd) return isDigit ? ODD_DIGITS[index] : ODD_LETTERS[index]
  return index
}

/** Check character of the first 15 characters (already upper case, shape-checked). */
export function codiceFiscaleCheckChar(first15: string): string {
  let sum = 0
  for (let i = 0; i < 15; i++) sum += charValue(first15[i], i % 2 === 0)
  return String.fromCharCode(65 + (sum % 26))
}

/** True for a well-formed personal codice fiscale with the right check character (upper case). */
export function isValidCodiceFiscale(value: unknown): boolean {
  if (typeof value !== 'string' || !CF_PATTERN.test(value)) return false
  return codiceFiscaleCheckChar(value.slice(0, 15)) === value[15]
}

/** The code with omocodic letters turned back into digits (for matching with the registry). */
export function normalizeOmocodia(value: string): string {
  const chars = value.split('')
  for (const pos of OMOCODIA_POSITIONS) {
    const idx = OMOCODIA_LETTERS.indexOf(chars[pos])
    if (idx >= 0) chars[pos] = String(idx)
  }
  return chars.join('')
}

/**
 * Length of the IBAN per country (ISO 13616 registry) for the SEPA countries a payer is likely to
 * use; other countries are checked only by the general shape and the check digits.
 */
const IBAN_LENGTHS: Record<string, number> = {
  IT: 27,
  SM: 27,
  VA: 22,
  FR: 27,
  DE: 22,
  ES: 24,
  AT: 20,
  BE: 16,
  CH: 21,
  NL: 18,
  PT: 25,
  IE: 22,
  LU: 20,
  GB: 22,
  SI: 19,
  HR: 21,
  GR: 27,
  PL: 28,
  RO: 24,
  MT: 31,
  MC: 27,
}

/**
 * True for an IBAN with a valid structure and check digits (ISO 7064 mod 97-10: the number formed
 * by moving the first four characters to the end, letters as 10-35, mod 97 equals 1).
 * Spaces are not accepted: the form stores the compact, upper-case form.
 */
export function isValidIban(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(value)) return false
  const expected = IBAN_LENGTHS[value.slice(0, 2)]
  if (expected !== undefined && value.length !== expected) return false
  const rearranged = value.slice(4) + value.slice(0, 4)
  let remainder = 0
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0)
    const digits = code >= 65 ? String(code - 55) : ch
    for (const d of digits) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97
  }
  return remainder === 1
}

/** Calendar date YYYY-MM-DD (RFC 3339 full-date) that exists. */
export function isValidDate(value: unknown): boolean {
  if (typeof value !== 'string') return false
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!m) return false
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12 || day < 1) return false
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return day <= daysInMonth
}

/**
 * E-mail address: a pragmatic check (one "@", a dotted domain, no spaces), not full RFC 5322,
 * which accepts addresses no mail service of the municipality would deliver to.
 */
export function isValidEmail(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length <= 254 &&
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/.test(
      value
    )
  )
}
