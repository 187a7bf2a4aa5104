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

/** Reads a number or decimal string; null when it is not a finite decimal. */
export function toDecimal(value: unknown): Dec | null {
  if (value instanceof Dec) return value
  if (typeof value === 'number') return Number.isFinite(value) ? new Dec(value) : null
  if (typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) {
    return new Dec(value.trim())
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
  if (!d) return String(value)
  const [int, frac] = d.toFixed(2, Decimal.ROUND_HALF_UP).split('.')
  const negative = int.startsWith('-')
  const digits = negative ? int.slice(1) : int
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.')
  return `${negative ? '-' : ''}${grouped},${frac}`
}
