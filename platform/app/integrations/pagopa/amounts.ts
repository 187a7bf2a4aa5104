import { Decimal } from 'decimal.js'

/**
 * Amounts at pagoPA's edges. Inside Sportello money is integer euro cents; GPD and App IO speak
 * cents too, but receipts (XML) and reporting flows (JSON numbers) speak decimal euro. These
 * conversions never go through float arithmetic.
 */

export class AmountError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AmountError'
  }
}

export function assertCents(value: unknown, what = 'amount'): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new AmountError(`${what} must be a whole number of euro cents, got ${JSON.stringify(value)}`)
  }
}

/** "12.30" for 1230 cents (the euro decimal pagoPA's XML and JSON use). */
export function centsToEuro(cents: number): string {
  assertCents(cents)
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** Cents from a decimal euro text with at most two decimals ("12.3", "12.30", "12"). */
export function euroToCents(text: string): number {
  if (!/^-?\d{1,13}(\.\d{1,2})?$/.test(text.trim())) {
    throw new AmountError(`"${text}" is not an amount in euro with at most two decimals`)
  }
  const cents = new Decimal(text.trim()).times(100)
  return cents.toNumber()
}

/**
 * Cents from an amount that arrived as a JSON number (FdR's `pay`, `sumPayments`). JSON.parse has
 * already made it a double; its shortest decimal representation (String(n)) is the text that was
 * sent whenever that had at most 15 significant digits, which every euro amount below 10^13 has.
 */
export function euroNumberToCents(value: unknown): number {
  if (typeof value === 'string') return euroToCents(value)
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AmountError(`${JSON.stringify(value)} is not an amount in euro`)
  }
  return euroToCents(new Decimal(value).toFixed())
}

/** A JSON number whose text is exactly the euro amount of `cents` (for the simulator's FdR answers). */
export function centsToEuroNumber(cents: number): number {
  return Number(centsToEuro(cents))
}

/** "1.234,56" as Italian documents print euro amounts. */
export function italianAmount(cents: number): string {
  const [units, decimals] = centsToEuro(cents).split('.')
  const negative = units.startsWith('-')
  const digits = negative ? units.slice(1) : units
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.')
  return `${negative ? '-' : ''}${grouped},${decimals}`
}
