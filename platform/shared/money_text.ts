/*
 * Money as people read it, the same on every page of the portal and in the plugins' pages:
 * Italian "€ 4.300,00" (thousands always grouped, as the calls print amounts), English "€4,300.00",
 * a negative amount with its sign first ("-€ 5,00"). Never through a float: amounts arrive as
 * decimal strings (the rules engine, the register) or integer cents (the ledger).
 */
import type { Lang } from './contract.js'

function written(cents: bigint, lang: Lang): string {
  const sign = cents < 0n ? '-' : ''
  const abs = cents < 0n ? -cents : cents
  const units = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'it' ? '.' : ',')
  const decimals = (abs % 100n).toString().padStart(2, '0')
  return lang === 'it' ? `${sign}€ ${units},${decimals}` : `${sign}€${units}.${decimals}`
}

/**
 * A decimal amount ("4300", "3.43", "-1.5", "0.125") as money, rounded half up to the cent on its
 * digits; anything else is shown as it came.
 */
export function formatEuro(amount: string | number, lang: Lang): string {
  const text = typeof amount === 'number' ? String(amount) : amount.trim()
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (!match) return text
  const [, sign, whole, fraction = ''] = match
  let cents = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2))
  if (fraction.length > 2 && Number(fraction[2]) >= 5) cents += 1n
  return written(sign ? -cents : cents, lang)
}

/** Integer cents (the ledger's amounts) as money. */
export function formatCents(cents: number, lang: Lang): string {
  if (!Number.isSafeInteger(cents)) return String(cents)
  return written(BigInt(cents), lang)
}
