/**
 * The body of a fee set by hand: `{ amount, reason }`. `amount` is euro as a decimal string
 * ("3.50", at most two decimals, up to 999999.99) or null to give the fee back to the computation;
 * `reason` is required (the audit keeps it, and the next operator reads it). Errors in the
 * platform's shape, at their field, in the request's language.
 */
import type { FormError, Lang } from '#forms/types'
import { isPlainObject } from '#forms/json_pointer'
import { forbiddenCharacter } from '#forms/field_rules'

export const FEE_REASON_MAX_LENGTH = 500
const AMOUNT = /^\d{1,6}(\.\d{1,2})?$/

const TEXT = {
  body: { it: 'Il corpo della richiesta deve essere un oggetto JSON.', en: 'The request body must be a JSON object.' },
  unknown: (name: string) => ({
    it: `Campo sconosciuto "${name}": toglilo dalla richiesta.`,
    en: `Unknown field "${name}": remove it from the request.`,
  }),
  amount: {
    it: 'Indica la tariffa in euro con al più due decimali, ad esempio 3.50 (oppure null per tornare a quella calcolata).',
    en: 'Give the fee in euro with at most two decimals, e.g. 3.50 (or null to go back to the computed one).',
  },
  reason: {
    it: `Scrivi il motivo (al massimo ${FEE_REASON_MAX_LENGTH} caratteri): resta nel registro delle modifiche.`,
    en: `Write the reason (at most ${FEE_REASON_MAX_LENGTH} characters): it stays in the audit log.`,
  },
  control: {
    it: 'Il motivo contiene un carattere non ammesso (di controllo o di direzione del testo): toglilo.',
    en: 'The reason holds a character that is not allowed (a control or text-direction character): remove it.',
  },
}

type Parsed = { ok: true; value: { amount: string | null; reason: string } } | { ok: false; errors: FormError[] }

export function parseFeeOverride(body: unknown, lang: Lang): Parsed {
  if (!isPlainObject(body)) return { ok: false, errors: [{ path: '', rule: 'request:type', message: TEXT.body[lang] }] }
  const errors: FormError[] = []
  for (const key of Object.keys(body)) {
    if (key !== 'amount' && key !== 'reason') {
      errors.push({ path: `/${key}`, rule: 'request:unknown', message: TEXT.unknown(key)[lang] })
    }
  }
  const amount = body.amount
  const amountOk = amount === null || (typeof amount === 'string' && AMOUNT.test(amount.trim()))
  if (!amountOk) errors.push({ path: '/amount', rule: 'request:amount', message: TEXT.amount[lang] })
  const reason = typeof body.reason === 'string' ? body.reason.trim() : ''
  if (!reason || reason.length > FEE_REASON_MAX_LENGTH) {
    errors.push({ path: '/reason', rule: 'request:reason', message: TEXT.reason[lang] })
  } else if (forbiddenCharacter(reason, true)) {
    errors.push({ path: '/reason', rule: 'request:control', message: TEXT.control[lang] })
  }
  if (errors.length) return { ok: false, errors }
  return { ok: true, value: { amount: typeof amount === 'string' ? normaliseAmount(amount.trim()) : null, reason } }
}

/** "3.5" → "3.50", "04" → "4.00": two decimals, as every amount of the platform. */
function normaliseAmount(amount: string): string {
  const [whole, fraction = ''] = amount.split('.')
  return `${String(Number(whole))}.${fraction.padEnd(2, '0')}`
}
