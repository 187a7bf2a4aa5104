/**
 * Italian and English wording of schema errors. Errors a person will read say what is wrong and
 * what to do (CONVENTIONS.md, "Ours").
 */
import type { Lang } from '#forms/types'
import { controlCharacterMessage, dateRangeMessage } from '#forms/field_rules'

type Params = Record<string, unknown>
type Template = (p: Params) => string

const TYPE_NAMES: Record<Lang, Record<string, string>> = {
  it: {
    string: 'un testo',
    number: 'un numero',
    integer: 'un numero intero',
    boolean: 'una risposta sì/no',
    object: 'un gruppo di campi',
    array: 'un elenco',
    null: 'nessun valore',
  },
  en: {
    string: 'a text',
    number: 'a number',
    integer: 'a whole number',
    boolean: 'a yes/no answer',
    object: 'a group of fields',
    array: 'a list',
    null: 'no value',
  },
}

function typeList(lang: Lang, type: unknown): string {
  const list = Array.isArray(type) ? type : [type]
  return list.map((t) => TYPE_NAMES[lang][String(t)] ?? String(t)).join(lang === 'it' ? ' o ' : ' or ')
}

const FORMAT_MESSAGES: Record<string, Record<Lang, string>> = {
  'codice-fiscale': {
    it: 'codice fiscale non valido: controlla i 16 caratteri, lettere e cifre.',
    en: 'invalid tax code (codice fiscale): check the 16 characters, letters and digits.',
  },
  'iban': {
    it: 'IBAN non valido: controlla le lettere e le cifre del codice.',
    en: 'invalid IBAN: check the letters and digits of the code.',
  },
  'date': {
    it: 'data non valida: usa il formato AAAA-MM-GG con una data esistente.',
    en: 'invalid date: use the YYYY-MM-DD format with a date that exists.',
  },
  'email': {
    it: 'indirizzo e-mail non valido: controlla di averlo scritto per intero (nome@dominio.it).',
    en: 'invalid e-mail address: check that it is complete (name@domain.com).',
  },
}

const MESSAGES: Record<string, Record<Lang, Template>> = {
  'required': {
    it: () => 'campo obbligatorio: compilalo.',
    en: () => 'required field: please fill it in.',
  },
  'additionalProperties': {
    it: () => 'campo non previsto da questo modulo: rimuovilo.',
    en: () => 'this field is not part of the form: remove it.',
  },
  'type': {
    it: (p) => `valore del tipo sbagliato: serve ${typeList('it', p.type)}.`,
    en: (p) => `wrong kind of value: ${typeList('en', p.type)} is expected.`,
  },
  'maxLength': {
    it: (p) => `testo troppo lungo: al massimo ${p.limit} caratteri.`,
    en: (p) => `text too long: ${p.limit} characters at most.`,
  },
  'minLength': {
    it: (p) =>
      p.limit === 1 ? 'non può essere vuoto: compilalo.' : `testo troppo corto: almeno ${p.limit} caratteri.`,
    en: (p) =>
      p.limit === 1 ? 'cannot be empty: please fill it in.' : `text too short: at least ${p.limit} characters.`,
  },
  'pattern': {
    it: () => 'formato non valido: controlla il valore inserito e l’esempio indicato.',
    en: () => 'invalid format: check the value entered against the example given.',
  },
  'enum': {
    it: () => 'valore non ammesso: scegli una delle opzioni proposte.',
    en: () => 'value not allowed: choose one of the options offered.',
  },
  'const': {
    it: (p) =>
      p.allowedValue === true ? 'per proseguire devi confermare questa dichiarazione.' : 'valore non ammesso.',
    en: (p) => (p.allowedValue === true ? 'you must confirm this declaration to go on.' : 'value not allowed.'),
  },
  'maxItems': {
    it: (p) => `troppe voci: al massimo ${p.limit}.`,
    en: (p) => `too many entries: ${p.limit} at most.`,
  },
  'minItems': {
    it: (p) => `servono almeno ${p.limit} voci.`,
    en: (p) => `at least ${p.limit} entries are needed.`,
  },
  'uniqueItems': {
    it: () => 'voci ripetute: ogni voce può comparire una sola volta.',
    en: () => 'repeated entries: each entry may appear only once.',
  },
  'minimum': {
    it: (p) => `valore troppo basso: almeno ${p.limit}.`,
    en: (p) => `value too low: at least ${p.limit}.`,
  },
  'maximum': {
    it: (p) => `valore troppo alto: al massimo ${p.limit}.`,
    en: (p) => `value too high: ${p.limit} at most.`,
  },
  'exclusiveMinimum': {
    it: (p) => `valore troppo basso: deve essere più di ${p.limit}.`,
    en: (p) => `value too low: it must be more than ${p.limit}.`,
  },
  'exclusiveMaximum': {
    it: (p) => `valore troppo alto: deve essere meno di ${p.limit}.`,
    en: (p) => `value too high: it must be less than ${p.limit}.`,
  },
  'x-date-range': {
    it: (p) => dateRangeMessage('it', p.min as string | undefined, p.max as string | undefined),
    en: (p) => dateRangeMessage('en', p.min as string | undefined, p.max as string | undefined),
  },
  'false schema': {
    it: () => 'in questo caso il campo non va compilato: lascialo vuoto.',
    en: () => 'in this case the field must be left empty.',
  },
}

const FALLBACK: Record<Lang, string> = {
  it: 'valore non valido: controllalo.',
  en: 'invalid value: please check it.',
}

const ATTACHMENT_MESSAGES: Record<string, Record<Lang, Template>> = {
  type: {
    it: (p) => `tipo di file non accettato: carica un file ${String(p.types)}.`,
    en: (p) => `file type not accepted: upload a ${String(p.types)} file.`,
  },
  size: {
    it: (p) => `file troppo grande: al massimo ${p.limit}.`,
    en: (p) => `file too large: ${p.limit} at most.`,
  },
  required: {
    it: () => 'allegato obbligatorio: carica il file.',
    en: () => 'required attachment: please upload the file.',
  },
}

function withLabel(label: string | undefined, text: string): string {
  if (!label) return text.charAt(0).toUpperCase() + text.slice(1)
  return `«${label}»: ${text}`
}

export function schemaMessage(lang: Lang, keyword: string, params: Params, label?: string): string {
  if (keyword === 'format') {
    const known = FORMAT_MESSAGES[String(params.format)]
    return withLabel(label, known ? known[lang] : FALLBACK[lang])
  }
  const template = MESSAGES[keyword]
  return withLabel(label, template ? template[lang](params) : FALLBACK[lang])
}

/** The kinds of file a person knows, by MIME type: citizens read "PDF", not "application/pdf". */
const TYPE_LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
}

/** Accepted kinds of file in words: "PDF, JPEG o PNG" / "PDF, JPEG or PNG" (an unknown type by its subtype, "ZIP"). */
export function fileKinds(types: readonly string[], lang: Lang): string {
  const names = [...new Set(types.map((t) => TYPE_LABELS[t] ?? t.split('/').pop()!.toUpperCase()))]
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} ${lang === 'it' ? 'o' : 'or'} ${names.at(-1)}`
}

export function attachmentMessage(
  lang: Lang,
  check: 'type' | 'size' | 'required',
  params: { types?: string[]; maxBytes?: number },
  label?: string
): string {
  const types = fileKinds(params.types ?? [], lang)
  const limit = params.maxBytes !== undefined ? `${Math.round((params.maxBytes / 1048576) * 10) / 10} MB` : ''
  return withLabel(label, ATTACHMENT_MESSAGES[check][lang]({ types, limit }))
}

/** A text field holding a control or text-direction character (rule `text:control`). */
export function controlMessage(lang: Lang, code: string, multiline: boolean, label?: string): string {
  return withLabel(label, controlCharacterMessage(lang, code, multiline))
}

export function unevaluableMessage(lang: Lang, message: string): string {
  return lang === 'it'
    ? `${message} (non è stato possibile verificare questa regola sui dati inviati: correggi gli altri errori e riprova.)`
    : `${message} (this rule could not be checked on the data sent: fix the other errors and try again.)`
}
