import { Decimal } from 'decimal.js'
import { LedgerError, MAX_CENTS } from '#services/billing/ledger_service'

/**
 * The amount of a charge line: given in cents, or a quantity (decimal string) times a unit amount in
 * cents, rounded half up to the cent (Decimal, never a float).
 */
export function lineAmount(line: { amountCents?: number; quantity?: string; unitCents?: number }): {
  amountCents: number
  quantity: string | null
  unitCents: number | null
} {
  if (line.amountCents !== undefined) {
    if (!Number.isSafeInteger(line.amountCents) || line.amountCents < 0 || line.amountCents > MAX_CENTS) {
      throw new LedgerError('amountCents', 'must be a whole, non-negative number of cents')
    }
    return { amountCents: line.amountCents, quantity: line.quantity ?? null, unitCents: line.unitCents ?? null }
  }
  if (typeof line.quantity !== 'string' || !/^\d{1,7}(\.\d{1,3})?$/.test(line.quantity)) {
    throw new LedgerError('quantity', 'a line without amountCents needs a quantity as a decimal string')
  }
  if (!Number.isSafeInteger(line.unitCents) || line.unitCents! < 0 || line.unitCents! > MAX_CENTS) {
    throw new LedgerError('unitCents', 'must be a whole, non-negative number of cents')
  }
  // A whole quantity (meals, days) times whole cents is exact in integers: no rounding to do, and a
  // month's run prices a hundred thousand such lines. A fraction takes the decimal path below.
  if (!line.quantity.includes('.')) {
    const cents = Number(line.quantity) * line.unitCents!
    if (cents > MAX_CENTS) throw new LedgerError('amountCents', 'too large')
    return { amountCents: cents, quantity: line.quantity, unitCents: line.unitCents! }
  }
  const amount = new Decimal(line.quantity).times(line.unitCents!).toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
  if (amount.greaterThan(MAX_CENTS)) throw new LedgerError('amountCents', 'too large')
  return { amountCents: amount.toNumber(), quantity: line.quantity, unitCents: line.unitCents! }
}

/** Cents of a decimal euro string ("45", "45.5", "45.50"); null when it is not one. */
export function euroTextToCents(text: string | null | undefined): number | null {
  if (typeof text !== 'string' || !/^\d{1,9}(\.\d+)?$/.test(text.trim())) return null
  return new Decimal(text.trim()).times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber()
}
