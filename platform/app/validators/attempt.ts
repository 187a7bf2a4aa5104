/**
 * `POST /attempts/:id/resolve`: what the operator found in the other system.
 *
 * - a protocol registration: `{ "outcome": "registered", "number": 42, "year": 2026, "date": "2026-03-02" }`
 *   (the number DOCAREA shows for the document; `date` defaults to today) or `{ "outcome": "not_registered" }`;
 * - a receipt email: `{ "outcome": "sent" }` or `{ "outcome": "not_sent" }`.
 *
 * Checked by hand, like the submission bodies, so that refusals have the form errors' shape.
 */
import { DateTime } from 'luxon'
import type { FormError, Lang } from '#forms/types'
import { escapeSegment, isPlainObject } from '#forms/json_pointer'
import type { AttemptKind } from '#services/infrastructure/external_attempts'

export type Resolution =
  | { outcome: 'registered'; number: number; year: number; date: string }
  | { outcome: 'not_registered' }
  | { outcome: 'sent' }
  | { outcome: 'not_sent' }

const OUTCOMES: Record<AttemptKind, readonly string[]> = {
  protocol: ['registered', 'not_registered'],
  mail: ['sent', 'not_sent'],
}

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FormError[] }

function error(path: string, rule: string, lang: Lang, it: string, en: string): FormError {
  return { path, rule: `request:${rule}`, message: lang === 'en' ? en : it }
}

export function parseResolution(body: unknown, kind: AttemptKind, lang: Lang): Parsed<Resolution> {
  if (!isPlainObject(body)) {
    return {
      ok: false,
      errors: [
        error(
          '',
          'type',
          lang,
          'Il corpo della richiesta deve essere un oggetto JSON.',
          'The request body must be a JSON object.'
        ),
      ],
    }
  }
  const allowed = OUTCOMES[kind]
  const { outcome } = body
  if (typeof outcome !== 'string' || !allowed.includes(outcome)) {
    return {
      ok: false,
      errors: [
        error(
          '/outcome',
          'enum',
          lang,
          `"outcome" deve essere uno di: ${allowed.join(', ')}.`,
          `"outcome" must be one of: ${allowed.join(', ')}.`
        ),
      ],
    }
  }
  const fields = outcome === 'registered' ? ['outcome', 'number', 'year', 'date'] : ['outcome']
  const errors: FormError[] = Object.keys(body)
    .filter((key) => !fields.includes(key))
    .map((key) =>
      error(
        `/${escapeSegment(key.slice(0, 60))}`,
        'unknown_field',
        lang,
        `Campo non previsto per "${outcome}": "${key.slice(0, 60)}".`,
        `Field not expected with "${outcome}": "${key.slice(0, 60)}".`
      )
    )
  if (outcome !== 'registered') {
    return errors.length ? { ok: false, errors } : { ok: true, value: { outcome } as Resolution }
  }
  const today = DateTime.now().setZone('Europe/Rome')
  const { number, year, date } = body
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1 || number > 9_999_999) {
    errors.push(
      error(
        '/number',
        'type',
        lang,
        '"number" deve essere il numero di protocollo, un intero da 1 a 9999999.',
        '"number" must be the protocol number, a whole number from 1 to 9999999.'
      )
    )
  }
  if (typeof year !== 'number' || !Number.isSafeInteger(year) || year < 2000 || year > today.year) {
    errors.push(
      error(
        '/year',
        'type',
        lang,
        `"year" deve essere l'anno del protocollo, dal 2000 al ${today.year}.`,
        `"year" must be the protocol year, from 2000 to ${today.year}.`
      )
    )
  }
  let day = today.toISODate()!
  if (date === undefined && year !== today.year) {
    errors.push(
      error(
        '/date',
        'required',
        lang,
        '"date" è obbligatoria per un protocollo di un anno passato (AAAA-MM-GG).',
        '"date" is required for a protocol of a past year (YYYY-MM-DD).'
      )
    )
  } else if (date !== undefined) {
    const parsed =
      typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date)
        ? DateTime.fromISO(date, { zone: 'Europe/Rome' })
        : null
    // Calendar days in Europe/Rome, as DOCAREA dates its registrations.
    if (!parsed?.isValid || parsed.year !== year || parsed.toISODate()! > today.toISODate()!) {
      errors.push(
        error(
          '/date',
          'format',
          lang,
          '"date" deve essere la data di protocollo (AAAA-MM-GG), nell\'anno indicato e non futura.',
          '"date" must be the protocol date (YYYY-MM-DD), in the year given and not in the future.'
        )
      )
    } else {
      day = parsed.toISODate()!
    }
  }
  if (errors.length) return { ok: false, errors }
  return { ok: true, value: { outcome: 'registered', number: number as number, year: year as number, date: day } }
}
