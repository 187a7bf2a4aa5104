/**
 * The engine's own Decimal constructor: a clone, so that its precision and rounding never depend
 * on (or change) the global decimal.js configuration used elsewhere in the app.
 */
import { Decimal } from 'decimal.js'
import type { Rounding, RoundingMode } from './types.js'

export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP })
export type Dec = InstanceType<typeof Dec>

const MODES: Record<RoundingMode, Decimal.Rounding> = {
  ROUND_UP: Decimal.ROUND_UP,
  ROUND_DOWN: Decimal.ROUND_DOWN,
  ROUND_CEIL: Decimal.ROUND_CEIL,
  ROUND_FLOOR: Decimal.ROUND_FLOOR,
  ROUND_HALF_UP: Decimal.ROUND_HALF_UP,
  ROUND_HALF_DOWN: Decimal.ROUND_HALF_DOWN,
  ROUND_HALF_EVEN: Decimal.ROUND_HALF_EVEN,
}

export function roundingMode(mode: RoundingMode): Decimal.Rounding {
  const m = MODES[mode]
  if (m === undefined) throw new Error(`Unknown rounding mode "${mode}".`)
  return m
}

export function roundToString(value: Dec, rounding: Rounding): string {
  return value.toDecimalPlaces(rounding.decimals, roundingMode(rounding.mode)).toFixed(rounding.decimals)
}

/**
 * The largest decimal the engine reads: 100 characters of text (its own results carry 40
 * significant digits, and a small one as many leading zeros), and an exponent between -40 and 40
 * (amounts, ISEE values and percentages are far inside). Past that a value is not a number for
 * the engine: a 40,000-digit "ISEE" once took seconds of CPU in every step that printed it, and
 * "1e999999999" would have printed a billion digits. Facts given by people are held tighter
 * (MAX_FACT_NUMBER_LENGTH).
 */
export const MAX_DECIMAL_LENGTH = 100
export const MAX_DECIMAL_EXPONENT = 40
/** A number a person sends as text ("4300.01"): 40 characters, the engine's precision. */
export const MAX_FACT_NUMBER_LENGTH = 40

/** Linear on any input (no alternation that can backtrack): sign, digits, optional fraction, optional exponent. */
const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

function bounded(value: Dec): Dec | null {
  return value.isFinite() && Math.abs(value.e) <= MAX_DECIMAL_EXPONENT ? value : null
}

/** Reads a number or decimal string; null when it is not a finite decimal within the engine's bounds. */
export function toDecimal(value: unknown): Dec | null {
  if (value instanceof Dec) return value
  if (typeof value === 'number') return Number.isFinite(value) ? bounded(new Dec(value)) : null
  if (typeof value === 'string') {
    // The length is checked before the text is even trimmed or matched.
    if (value.length > MAX_DECIMAL_LENGTH + 16) return null
    const text = value.trim()
    if (text.length > MAX_DECIMAL_LENGTH || !DECIMAL_TEXT.test(text)) return null
    return bounded(new Dec(text))
  }
  return null
}

/** True for a plain amount with exactly two decimals ("12.30", "-0.50"): the same as /^-?\d+\.\d{2}$/, without a regular expression (it runs on every output). */
export function isTwoDecimalAmount(text: string): boolean {
  const length = text.length
  const start = text.charCodeAt(0) === 45 ? 1 : 0
  if (length - start < 4 || text.charCodeAt(length - 3) !== 46) return false
  for (let i = start; i < length; i++) {
    if (i === length - 3) continue
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** Italian money format for trace messages: 12000.5 → "12.000,50". */
export function formatEur(value: unknown): string {
  const d = toDecimal(value)
  if (!d) return String(value).slice(0, MAX_DECIMAL_LENGTH)
  const [int, frac] = d.toFixed(2, Decimal.ROUND_HALF_UP).split('.')
  const negative = int.startsWith('-')
  const digits = negative ? int.slice(1) : int
  // Groups of three from the right, in one pass (a look-ahead regular expression here was
  // quadratic in the number of digits).
  const head = digits.length % 3 || 3
  const groups = [digits.slice(0, head)]
  for (let i = head; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3))
  return `${negative ? '-' : ''}${groups.join('.')},${frac}`
}
