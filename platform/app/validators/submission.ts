/**
 * The envelope of submission requests: `{ data, applicant_user_id? }` for
 * drafts, `{ status, reason }` for back-office moves. Checked by hand rather
 * than with VineJS so that every refusal has the same shape as a form error
 * (`{ path, rule, message }`), with `path` a JSON Pointer into the request
 * body and `rule` starting with "request:". What is inside `data` is the
 * form's business: the form validator checks it.
 */
import type { FormError, Lang } from '#forms/types'
import { escapeSegment, isPlainObject } from '#forms/json_pointer'
import { submissionStatusLabel } from '#shared/status_labels'
import { REASON_MAX_LENGTH, STATUSES, isStatus, type SubmissionStatus } from '#services/submissions/submission_service'
import { forbiddenCharacter } from '#forms/field_rules'

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FormError[] }

const TEXT = {
  body: {
    it: 'Il corpo della richiesta deve essere un oggetto JSON.',
    en: 'The request body must be a JSON object.',
  },
  unknown: (name: string) => ({
    it: `Campo sconosciuto "${name}": toglilo dalla richiesta.`,
    en: `Unknown field "${name}": remove it from the request.`,
  }),
  data: {
    it: 'Manca "data", l\'oggetto con i dati del modulo.',
    en: 'Missing "data", the object holding the form data.',
  },
  dataType: {
    it: '"data" deve essere un oggetto con i dati del modulo.',
    en: '"data" must be an object holding the form data.',
  },
  applicant: {
    it: '"applicant_user_id" deve essere l\'identificativo numerico di un utente.',
    en: '"applicant_user_id" must be the numeric id of a user.',
  },
  // The API takes codes: each is listed with the label a person knows it by.
  status: {
    it: `"status" deve essere uno di: ${STATUSES.map((s) => `${s} (${submissionStatusLabel(s, 'it')})`).join(', ')}.`,
    en: `"status" must be one of: ${STATUSES.map((s) => `${s} (${submissionStatusLabel(s, 'en')})`).join(', ')}.`,
  },
  control: (code: string) => ({
    it: `"reason" contiene un carattere non ammesso (${code}, di controllo o di direzione del testo): toglilo.`,
    en: `"reason" holds a character that is not allowed (${code}, a control or text-direction character): remove it.`,
  }),
  reason: {
    it: `"reason" deve essere un testo di al massimo ${REASON_MAX_LENGTH} caratteri.`,
    en: `"reason" must be a text of at most ${REASON_MAX_LENGTH} characters.`,
  },
}

function error(path: string, rule: string, text: Record<Lang, string>, lang: Lang): FormError {
  return { path, rule: `request:${rule}`, message: text[lang] }
}

/** Body must be an object with only the listed keys. */
function envelope(body: unknown, allowed: readonly string[], lang: Lang): Parsed<Record<string, unknown>> {
  if (!isPlainObject(body)) return { ok: false, errors: [error('', 'type', TEXT.body, lang)] }
  const errors = Object.keys(body)
    .filter((key) => !allowed.includes(key))
    // An unknown name may be hostile input: cut it short before echoing it.
    .map((key) => error(`/${escapeSegment(key.slice(0, 60))}`, 'unknown_field', TEXT.unknown(key.slice(0, 60)), lang))
  return errors.length ? { ok: false, errors } : { ok: true, value: body }
}

export interface DraftBody {
  data?: Record<string, unknown>
  applicantUserId?: number
}

/** `{ data, applicant_user_id? }`; `data` may be optional (submitting a saved draft as it is). */
export function parseDraftBody(
  body: unknown,
  lang: Lang,
  opts: { dataRequired: boolean; applicant: boolean }
): Parsed<DraftBody> {
  const allowed = opts.applicant ? ['data', 'applicant_user_id'] : ['data']
  const parsed = envelope(body, allowed, lang)
  if (!parsed.ok) return parsed
  const errors: FormError[] = []
  const out: DraftBody = {}
  const { data, applicant_user_id: applicant } = parsed.value
  if (data === undefined) {
    if (opts.dataRequired) errors.push(error('/data', 'required', TEXT.data, lang))
  } else if (!isPlainObject(data)) {
    errors.push(error('/data', 'type', TEXT.dataType, lang))
  } else {
    out.data = data
  }
  if (applicant !== undefined && applicant !== null) {
    if (typeof applicant === 'number' && Number.isSafeInteger(applicant) && applicant > 0)
      out.applicantUserId = applicant
    else errors.push(error('/applicant_user_id', 'type', TEXT.applicant, lang))
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: out }
}

export interface StatusBody {
  status: SubmissionStatus
  reason: string | null
}

/** `{ status, reason? }` for the back office; a blank reason counts as none. */
export function parseStatusBody(body: unknown, lang: Lang): Parsed<StatusBody> {
  const parsed = envelope(body, ['status', 'reason'], lang)
  if (!parsed.ok) return parsed
  const errors: FormError[] = []
  const { status, reason } = parsed.value
  if (!isStatus(status)) errors.push(error('/status', 'enum', TEXT.status, lang))
  const validReason =
    reason === undefined || reason === null || (typeof reason === 'string' && reason.length <= REASON_MAX_LENGTH)
  if (!validReason) errors.push(error('/reason', 'type', TEXT.reason, lang))
  // A reason may span several lines; control and text-direction characters are refused.
  const code = typeof reason === 'string' ? forbiddenCharacter(reason, true) : null
  if (code) errors.push(error('/reason', 'control', TEXT.control(code), lang))
  if (errors.length || !isStatus(status)) return { ok: false, errors }
  const text = typeof reason === 'string' ? reason.trim() : ''
  return { ok: true, value: { status, reason: text === '' ? null : text } }
}
