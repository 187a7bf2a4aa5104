/**
 * Rules every field of every form obeys, whatever the form says, shared by the server (the
 * validator) and the citizen portal (which shows the same message at the field while it is
 * filled in). Browser-safe: no Node API.
 *
 * 1. Text holds no control characters: C0 (U+0000–U+001F; tab and line breaks only in a
 *    textarea, `"ui:widget": "textarea"`), DEL and C1 (U+007F–U+009F), the bidirectional
 *    overrides and isolates (U+202A–U+202E, U+2066–U+2069: they reorder what a reader sees, so a
 *    protocolled address could read differently from what is stored), and halves of surrogate
 *    pairs (not text at all). Rule `text:control`.
 * 2. Dates stay within a plausible range. A date field may say which with the keyword
 *    `"x-date-range": { "min": <bound>, "max": <bound> }`, a bound being a calendar day
 *    ("1900-01-01") or a day relative to today in Europe/Rome ("today", "today-120y",
 *    "today+10m", "today-30d"). A `format: "date"` field that says nothing gets
 *    DEFAULT_DATE_RANGE. Rule `schema:x-date-range`, with the range in the message.
 */
import type { FuncKeywordDefinition, SchemaValidateFunction } from 'ajv'
import type { Lang } from '#forms/types'

type Obj = Record<string, unknown>
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

// ---------------------------------------------------------------------------------------------
// Control characters

/** Forbidden everywhere (tab and line breaks are handled apart: a textarea allows them). */
// eslint-disable-next-line no-control-regex -- finding control characters is this expression's purpose
const ALWAYS_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/
const LINE_CHARACTERS = /[\t\n\r]/
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
      return i
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i
  }
  return -1
}

/** The first character text may not hold, as "U+202E", or null when the text is clean. Linear. */
export function forbiddenCharacter(text: string, multiline = false): string | null {
  const hit = ALWAYS_FORBIDDEN.exec(text) ?? (multiline ? null : LINE_CHARACTERS.exec(text))
  const at = hit ? hit.index : LONE_SURROGATE.test(text) ? loneSurrogateAt(text) : -1
  if (at < 0) return null
  return `U+${text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}`
}

export function controlCharacterMessage(lang: Lang, code: string, multiline: boolean): string {
  return lang === 'en'
    ? `contains a character that is not allowed (${code}: a control or text-direction character${multiline ? '' : ', or a line break'}): delete it, or type the text again instead of pasting it.`
    : `contiene un carattere non ammesso (${code}: un carattere di controllo o di direzione del testo${multiline ? '' : ', o un a capo'}): cancellalo, oppure riscrivi il testo invece di incollarlo.`
}

/** Whether the uiSchema makes the field at a JSON Pointer a textarea (array indices skipped). */
function isTextarea(uiSchema: unknown, pointer: string): boolean {
  let node: unknown = uiSchema
  for (const raw of pointer.split('/').slice(1)) {
    if (!isObject(node)) return false
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (/^\d+$/.test(part)) {
      node = isObject(node.items) ? node.items : node
      continue
    }
    node = node[part]
  }
  return isObject(node) && node['ui:widget'] === 'textarea'
}

function escapeSegment(key: string) {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

/**
 * Every string in the data with a character it may not hold: `[pointer, code, multiline]`.
 * Iterative, one visit per value (the body parser already bounds depth and size).
 */
export function controlCharacterFields(
  data: unknown,
  uiSchema: unknown
): Array<{ path: string; code: string; multiline: boolean }> {
  const found: Array<{ path: string; code: string; multiline: boolean }> = []
  const stack: Array<[unknown, string]> = [[data, '']]
  while (stack.length > 0) {
    const [value, path] = stack.pop()!
    if (typeof value === 'string') {
      // Most text is clean: whether its field is a textarea is looked up only for text that is not.
      if (forbiddenCharacter(value, false) === null) continue
      const multiline = isTextarea(uiSchema, path)
      const code = forbiddenCharacter(value, multiline)
      if (code) found.push({ path, code, multiline })
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${path}/${i}`]))
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        // A key is text too (an unknown field's name is echoed in messages).
        const code = forbiddenCharacter(key)
        if (code) found.push({ path: `${path}/${escapeSegment(key.slice(0, 60))}`, code, multiline: false })
        else stack.push([item, `${path}/${escapeSegment(key)}`])
      }
    }
  }
  return found.reverse()
}

// ---------------------------------------------------------------------------------------------
// Date ranges

export const DATE_RANGE_KEYWORD = 'x-date-range'

export interface DateRange {
  min?: string
  max?: string
}

/** What a `format: "date"` field accepts when its form says nothing more: no year 9999, no 1066. */
export const DEFAULT_DATE_RANGE: DateRange = { min: '1900-01-01', max: 'today+50y' }

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const RELATIVE = /^today(?:([+-])(\d{1,3})([ymd]))?$/

/** Today's calendar day in Europe/Rome, YYYY-MM-DD (the day citizens and offices live in). */
export function todayInRome(now: Date = new Date()): string {
  // Rome's offsets are whole hours, so its day changes on a whole UTC minute: within one minute the
  // day is the same, and is formatted once (a submission checks several dates).
  const minute = Math.floor(now.getTime() / 60_000)
  if (minute !== lastDay.minute) lastDay = { minute, day: ROME_DAY.format(now) }
  return lastDay.day
}

let lastDay = { minute: Number.NaN, day: '' }

// One formatter for the process: building one loads the time zone's data, which costs more than
// every date check of a submission together.
const ROME_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

export function isDateBound(bound: unknown): bound is string {
  return typeof bound === 'string' && (ISO_DAY.test(bound) || RELATIVE.test(bound))
}

/** A bound as a calendar day, `today` being YYYY-MM-DD; months and years clamp to the month's end. */
export function resolveBound(bound: string, today: string): string {
  if (ISO_DAY.test(bound)) return bound
  const m = RELATIVE.exec(bound)
  if (!m) throw new Error(`"${bound}" is not a date bound: use YYYY-MM-DD, "today", or "today±N" with y, m or d`)
  const [, sign, amount, unit] = m
  const [y, mo, d] = today.split('-').map(Number)
  if (!sign) return today
  const n = Number(amount) * (sign === '-' ? -1 : 1)
  if (unit === 'd') return new Date(Date.UTC(y, mo - 1, d + n)).toISOString().slice(0, 10)
  const months = unit === 'y' ? n * 12 : n
  const target = new Date(Date.UTC(y, mo - 1 + months, 1))
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate()
  target.setUTCDate(Math.min(d, last))
  return target.toISOString().slice(0, 10)
}

export function italianDay(day: string): string {
  const [y, m, d] = day.split('-')
  return `${d}/${m}/${y}`
}

export function dateRangeMessage(lang: Lang, min: string | undefined, max: string | undefined): string {
  const it = (day: string | undefined) => (day ? italianDay(day) : '')
  if (lang === 'en') {
    if (min && max) return `the date must be between ${it(min)} and ${it(max)}: check the year.`
    if (min) return `the date must be ${it(min)} or later: check the year.`
    return `the date must be ${it(max)} or earlier: check the year.`
  }
  if (min && max) return `la data deve essere tra il ${it(min)} e il ${it(max)}: controlla l'anno.`
  if (min) return `la data deve essere il ${it(min)} o successiva: controlla l'anno.`
  return `la data deve essere il ${it(max)} o precedente: controlla l'anno.`
}

/** The Ajv surface the keyword needs (the portal's Ajv and the server's both fit). */
interface KeywordHost {
  addKeyword(definition: FuncKeywordDefinition): unknown
}

const RANGE_META_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { min: { type: 'string' }, max: { type: 'string' } },
}

/** Registers `x-date-range`: checked at validation time, so "today" is today, not the day the form was compiled. */
export function addDateRangeKeyword(ajv: KeywordHost, now: () => string = todayInRome) {
  const validate: SchemaValidateFunction = (range: DateRange, data: unknown): boolean => {
    validate.errors = []
    // Not a date at all: `format` says so; this keyword only judges real dates.
    if (typeof data !== 'string' || !ISO_DAY.test(data)) return true
    const today = now()
    const min = isDateBound(range.min) ? resolveBound(range.min, today) : undefined
    const max = isDateBound(range.max) ? resolveBound(range.max, today) : undefined
    if ((min && data < min) || (max && data > max)) {
      validate.errors = [{ keyword: DATE_RANGE_KEYWORD, message: 'date out of range', params: { min, max } }]
      return false
    }
    return true
  }
  ajv.addKeyword({
    keyword: DATE_RANGE_KEYWORD,
    schemaType: 'object',
    metaSchema: RANGE_META_SCHEMA,
    errors: true,
    validate,
  })
}

/**
 * A copy of a form schema in which every date type (`format: "date"`) without its own range gets
 * DEFAULT_DATE_RANGE. Fields that name a range beside their `$ref` keep it (both apply; the
 * validator reports the narrower one).
 */
export function withDefaultDateRanges<T>(schema: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk)
    if (!isObject(node)) return node
    const out: Obj = {}
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === 'enum' || key === 'const' || key === 'x-i18n' || key === 'default' ? value : walk(value)
    }
    if (out.format === 'date' && out[DATE_RANGE_KEYWORD] === undefined) out[DATE_RANGE_KEYWORD] = DEFAULT_DATE_RANGE
    return out
  }
  return walk(schema) as T
}

/**
 * The date fields of a form schema that do not state their own range: a property (or list item)
 * that is a date, by `format` or through a `$ref` to a date type, with no `x-date-range` of its
 * own. The date types themselves (`$defs` entries) are not fields. For the contract tests.
 */
export function dateFieldsWithoutRange(schema: unknown): string[] {
  const root = isObject(schema) ? schema : {}
  const defs = isObject(root.$defs) ? root.$defs : {}
  const isDateType = (node: unknown, depth = 0): boolean => {
    if (!isObject(node) || depth > 8) return false
    if (node.format === 'date') return true
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/$defs/')) {
      return isDateType(defs[node.$ref.slice('#/$defs/'.length)], depth + 1)
    }
    return false
  }
  const missing: string[] = []
  const visit = (node: unknown, where: string) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${where}/${i}`))
      return
    }
    if (!isObject(node)) return
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' || key === 'const' || key === 'x-i18n' || key === 'default') continue
      const path = `${where}/${key}`
      const isField = (where.endsWith('/properties') || key === 'items') && isObject(value)
      if (isField && isDateType(value) && (value as Obj)[DATE_RANGE_KEYWORD] === undefined) missing.push(path)
      visit(value, path)
    }
  }
  visit(root, '')
  return missing
}
