/**
 * Server-side validation of a form submission: the server is authoritative and refuses a
 * submission with every violated rule, by field, in one answer (DESIGN.md, "Form engine").
 *
 * Three sources of errors, all collected (never stopping at the first):
 *  1. the JSON Schema (Ajv, draft 2020-12, allErrors) — rule "schema:<keyword>";
 *  2. attachment checks (type, size, required_when) — rule "attachment:<check>";
 *  3. BLOCCO rules (Allegato B) — rule "<blocco id>", one error for each blocked path;
 *  4. with a school catalog, the fields whose values come from it — rule "catalog:<check>".
 * Facts for the BLOCCO conditions are the top-level fields of the data as sent: a missing field is
 * `undefined` (so `isEmpty` is true and `equal` is false), see forms/README.md.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { compileCondition, type CompiledCondition } from '#shared/conditions'
import type { FormDefinition, FormError, Lang, ValidateOptions, ValidationResult } from '#forms/types'
import { isValidCodiceFiscale, isValidDate, isValidEmail, isValidIban } from '#forms/codice_fiscale'
import { deref, getAt, isPlainObject, joinPointer, labelAt, schemaAt } from '#forms/json_pointer'
import { attachmentMessage, controlMessage, schemaMessage, unevaluableMessage } from '#forms/messages'
import {
  addDateRangeKeyword,
  controlCharacterFields,
  DATE_RANGE_KEYWORD,
  withDefaultDateRanges,
} from '#forms/field_rules'
import { catalogErrors } from '#forms/school_catalog'
import { fillFacts, withApplicantFacts, type ApplicantFacts } from '#shared/applicant_facts'

/** Creates the Ajv instance used for forms: formats and annotation keywords registered. */
export function createFormAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    // Strict schema checking catches typos in form files (an unknown keyword is an error)...
    strict: true,
    // ...but `if` branches that test `properties` without repeating `type` are normal in forms.
    strictTypes: false,
    strictRequired: false,
    verbose: false,
    // Errors are worded by messages.ts; Ajv's English text is never shown.
    messages: false,
  })
  ajv.addFormat('codice-fiscale', { type: 'string', validate: isValidCodiceFiscale })
  ajv.addFormat('iban', { type: 'string', validate: isValidIban })
  ajv.addFormat('date', { type: 'string', validate: isValidDate })
  ajv.addFormat('email', { type: 'string', validate: isValidEmail })
  // Translations of titles, descriptions and enum labels: annotations, no validation.
  ajv.addKeyword({ keyword: 'x-i18n', schemaType: 'object' })
  // Plausible dates (field_rules.ts): "today" is resolved at each validation.
  addDateRangeKeyword(ajv)
  // A declaration the citizen makes by ticking it (`const: true`): an annotation, see forms/README.md.
  ajv.addKeyword({ keyword: 'x-declaration', schemaType: 'boolean' })
  // An amount in a currency (the builder's currency field, "EUR"): an annotation for the renderer.
  ajv.addKeyword({ keyword: 'x-currency', schemaType: 'string' })
  return ajv
}

/**
 * Keywords ignored when saving a draft: what is merely incomplete (missing, empty, not yet in the
 * right format, declaration not yet confirmed) is allowed; what has the wrong shape or size is not,
 * so a draft can never store data the final form could not hold.
 */
const DRAFT_IGNORED = new Set([
  'required',
  'dependentRequired',
  'minLength',
  'minItems',
  'pattern',
  'format',
  'const',
  'false schema',
  'if',
  // Ranges relative to today move: a draft is judged on them when it is sent.
  DATE_RANGE_KEYWORD,
])

interface CompiledForm {
  validate: ValidateFunction
  blocchi: Array<{
    id: string
    paths: string[]
    message: FormDefinition['blocchi'][number]['message']
    test: CompiledCondition | Error
  }>
  attachmentConditions: Map<string, CompiledCondition | Error>
}

const MAX_CACHE = 200
const cache = new Map<string, CompiledForm>()
let sharedAjv: Ajv2020 | undefined

/** Cheap fingerprint so that two different schemas published with the same id@version never collide. */
function fingerprint(text: string): string {
  let h1 = 0x811c9dc5
  let h2 = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193)
    h2 = (h2 * 31 + c) | 0
  }
  return `${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}${text.length.toString(36)}`
}

function tryCompile(condition: unknown, named: FormDefinition['conditions']): CompiledCondition | Error {
  try {
    return compileCondition(condition as Parameters<typeof compileCondition>[0], named ?? {})
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/**
 * The same definition object (a form version cached by form_service.ts) is compiled once: its
 * fingerprint below costs a serialisation of the whole form, too much for every validation.
 */
const byObject = new WeakMap<FormDefinition, CompiledForm>()

/** Compiles (once per form id, version and content) the schema and the BLOCCO conditions. */
export function compileForm(form: FormDefinition): CompiledForm {
  const known = byObject.get(form)
  if (known) return known
  const compiled = compileByContent(form)
  byObject.set(form, compiled)
  return compiled
}

function compileByContent(form: FormDefinition): CompiledForm {
  const key = `${form.id}@${form.version}#${fingerprint(JSON.stringify([form.schema, form.blocchi, form.attachments, form.conditions ?? null]))}`
  const hit = cache.get(key)
  if (hit) return hit
  sharedAjv ??= createFormAjv()
  // The bundled schema only uses local references: its $id is not needed, and dropping it lets two
  // versions of the same form (same $id) be compiled side by side.
  const { $id: _id, ...schema } = form.schema
  const compiled: CompiledForm = {
    validate: sharedAjv.compile(withDefaultDateRanges(schema)),
    blocchi: compileBlocchi(form),
    attachmentConditions: new Map(
      Object.entries(form.attachments ?? {})
        .filter(([, rule]) => rule.required_when !== undefined)
        .map(([path, rule]) => [path, tryCompile(rule.required_when, form.conditions)])
    ),
  }
  if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string)
  cache.set(key, compiled)
  return compiled
}

function errorPath(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'required' || error.keyword === 'dependentRequired') {
    return joinPointer(error.instancePath, String(params.missingProperty))
  }
  if (error.keyword === 'additionalProperties') {
    return joinPointer(error.instancePath, String(params.additionalProperty))
  }
  return error.instancePath
}

/**
 * A date field with its own range also has the default one of its date type: when both refuse a
 * value, only the narrower range is reported.
 */
function narrowestDateRanges(errors: ErrorObject[]): ErrorObject[] {
  const span = (e: ErrorObject) => {
    const { min, max } = e.params as { min?: string; max?: string }
    return `${max ?? '9999-12-31'}|${min ?? '0000-01-01'}`
  }
  const best = new Map<string, ErrorObject>()
  for (const error of errors) {
    if (error.keyword !== DATE_RANGE_KEYWORD) continue
    const kept = best.get(error.instancePath)
    const { min } = error.params as { min?: string }
    const keptMin = kept ? ((kept.params as { min?: string }).min ?? '') : ''
    if (!kept || span(error) < span(kept) || (span(error) === span(kept) && (min ?? '') > keptMin)) {
      best.set(error.instancePath, error)
    }
  }
  return errors.filter((e) => e.keyword !== DATE_RANGE_KEYWORD || best.get(e.instancePath) === e)
}

/** True when the field at `path` is a declaration (`x-declaration`, on the field or its definition). */
export function isDeclaration(form: FormDefinition, path: string): boolean {
  const node = schemaAt(form.schema, path)
  return [node, deref(form.schema, node)].some((n) => isPlainObject(n) && n['x-declaration'] === true)
}

function schemaErrors(form: FormDefinition, errors: ErrorObject[], lang: Lang, partial: boolean): FormError[] {
  const out: FormError[] = []
  for (const error of narrowestDateRanges(errors)) {
    if (error.keyword === 'if') continue // the failing `then` branch is reported on its own
    if (partial && DRAFT_IGNORED.has(error.keyword)) continue
    const path = errorPath(error)
    const params = error.params as Record<string, unknown>
    // An unknown field has no title: name it as sent (cut short, it may be hostile input).
    const label =
      error.keyword === 'additionalProperties'
        ? String(params.additionalProperty).slice(0, 60)
        : labelAt(form.schema, path, lang)
    // A declaration left unticked is missing from the data: ask to confirm it, as for one set to false.
    const message =
      error.keyword === 'required' && isDeclaration(form, path)
        ? schemaMessage(lang, 'const', { allowedValue: true }, label)
        : schemaMessage(lang, error.keyword, params, label)
    out.push({ path, rule: `schema:${error.keyword}`, message })
  }
  return out
}

function attachmentErrors(
  form: FormDefinition,
  compiled: CompiledForm,
  data: unknown,
  lang: Lang,
  partial: boolean
): FormError[] {
  const out: FormError[] = []
  for (const [path, rule] of Object.entries(form.attachments ?? {})) {
    const value = getAt(data, path)
    const label = labelAt(form.schema, path, lang)
    const items: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((v, i) => [joinPointer(path, i), v])
      : value === undefined || value === null
        ? []
        : [[path, value]]
    for (const [itemPath, item] of items) {
      if (!isPlainObject(item)) continue // the schema reports the wrong shape
      if (typeof item.content_type === 'string' && !rule.types.includes(item.content_type)) {
        out.push({
          path: itemPath,
          rule: 'attachment:type',
          message: attachmentMessage(lang, 'type', { types: rule.types }, label),
        })
      }
      if (typeof item.size_bytes === 'number' && item.size_bytes > rule.max_bytes) {
        out.push({
          path: itemPath,
          rule: 'attachment:size',
          message: attachmentMessage(lang, 'size', { maxBytes: rule.max_bytes }, label),
        })
      }
    }
    const when = compiled.attachmentConditions.get(path)
    if (!partial && when && items.length === 0 && isPlainObject(data)) {
      const fires = when instanceof Error ? true : safeTest(when, data)
      if (fires)
        out.push({ path, rule: 'attachment:required', message: attachmentMessage(lang, 'required', {}, label) })
    }
  }
  return out
}

/** Evaluates a compiled condition; a throw counts as "fires": a rule that cannot be checked blocks. */
function safeTest(test: CompiledCondition, facts: Record<string, unknown>): boolean | 'error' {
  try {
    return test(facts)
  } catch {
    return 'error'
  }
}

/** The BLOCCO rules of a form compiled, each with its test or the error that keeps it from compiling. */
function compileBlocchi(form: Pick<FormDefinition, 'blocchi' | 'conditions'>): CompiledForm['blocchi'] {
  return form.blocchi.map((b) => ({
    id: b.id,
    paths: b.paths,
    message: b.message,
    test: tryCompile(b.condition, form.conditions),
  }))
}

/** What one BLOCCO rule decides on some data: whether it fires, and with which message. */
export interface BloccoOutcome {
  id: string
  paths: string[]
  /** True when the rule blocks: its condition holds, or it cannot be evaluated (that blocks too). */
  fires: boolean
  /** The condition does not compile or throws on these data. */
  unevaluable: boolean
  /** The message shown at each path, in the language asked. */
  message: string
}

/**
 * Each rule on the data, with the applicant's facts from the platform (their overdue debt, the
 * tenant's choice to block on it) read over the data and named in the messages.
 */
function bloccoOutcomes(
  blocchi: CompiledForm['blocchi'],
  data: unknown,
  lang: Lang,
  applicant?: Partial<ApplicantFacts>,
  firingOnly = false
): BloccoOutcome[] {
  if (!isPlainObject(data))
    return firingOnly
      ? []
      : blocchi.map((b) => ({ ...outcomeBase(b, lang, applicant), fires: false, unevaluable: false }))
  const facts = withApplicantFacts(data, applicant)
  const out: BloccoOutcome[] = []
  for (const blocco of blocchi) {
    const outcome = blocco.test instanceof Error ? 'error' : safeTest(blocco.test, facts)
    // A sending asks only for the rules that fire: the others' messages are not written out.
    if (firingOnly && outcome !== 'error' && !outcome) continue
    const base = outcomeBase(blocco, lang, applicant)
    if (outcome !== 'error') out.push({ ...base, fires: outcome, unevaluable: false })
    else out.push({ ...base, fires: true, unevaluable: true, message: unevaluableMessage(lang, base.message) })
  }
  return out
}

function outcomeBase(blocco: CompiledForm['blocchi'][number], lang: Lang, applicant?: Partial<ApplicantFacts>) {
  return {
    id: blocco.id,
    paths: blocco.paths,
    message: fillFacts(blocco.message[lang] ?? blocco.message.it, applicant),
  }
}

/**
 * Every BLOCCO rule of a form on some data, fired or not: what a submission would be refused for,
 * with the very evaluation the submission runs (the designer's "try it"). A published version is
 * compiled once (compileForm's cache); a draft's rules are compiled for the call.
 */
export function evaluateBlocchi(
  source: { published: FormDefinition } | { draft: Pick<FormDefinition, 'blocchi' | 'conditions'> },
  data: unknown,
  lang: Lang
): BloccoOutcome[] {
  const blocchi = 'published' in source ? compileForm(source.published).blocchi : compileBlocchi(source.draft)
  return bloccoOutcomes(blocchi, data, lang)
}

function bloccoErrors(
  compiled: CompiledForm,
  data: unknown,
  lang: Lang,
  applicant?: Partial<ApplicantFacts>
): FormError[] {
  if (!isPlainObject(data)) return [] // the schema already refuses a non-object submission
  const out: FormError[] = []
  for (const blocco of bloccoOutcomes(compiled.blocchi, data, lang, applicant, true)) {
    for (const path of blocco.paths) out.push({ path, rule: blocco.id, message: blocco.message })
  }
  return out
}

/**
 * Validates a submission (or, with `partial`, a draft) against a form. Never throws on any data:
 * malformed input yields errors, not exceptions.
 */
export function validateSubmission(form: FormDefinition, data: unknown, opts: ValidateOptions = {}): ValidationResult {
  const lang: Lang = opts.lang === 'en' ? 'en' : 'it'
  const partial = opts.partial === true
  const compiled = compileForm(form)
  const errors: FormError[] = []
  let schemaOk = false
  try {
    schemaOk = compiled.validate(data) as boolean
  } catch {
    // Ajv does not throw on data, but a hostile object (getters, proxies) could: refuse it.
    errors.push({ path: '', rule: 'schema:type', message: schemaMessage(lang, 'type', { type: 'object' }) })
  }
  if (!schemaOk && compiled.validate.errors) errors.push(...schemaErrors(form, compiled.validate.errors, lang, partial))
  // Drafts too: a control character is never "not yet finished".
  for (const { path, code, multiline } of controlCharacterFields(data, form.uiSchema)) {
    errors.push({
      path,
      rule: 'text:control',
      message: controlMessage(lang, code, multiline, labelAt(form.schema, path, lang)),
    })
  }
  errors.push(...attachmentErrors(form, compiled, data, lang, partial))
  if (!partial) errors.push(...bloccoErrors(compiled, data, lang, opts.facts))
  if (!partial && opts.catalog) errors.push(...catalogErrors(form, data, opts.catalog, lang))

  const seen = new Set<string>()
  const unique = errors.filter((e) => {
    const key = `${e.rule}\u0000${e.path}\u0000${e.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  return { valid: unique.length === 0, errors: unique }
}

/** The rules every field obeys (field_rules.ts), as the portal shows them at the field while it is filled in. */
export const FIELD_RULES = new Set(['text:control', `schema:${DATE_RANGE_KEYWORD}`])

export function fieldRuleErrors(form: FormDefinition, data: unknown, lang: Lang): FormError[] {
  return validateSubmission(form, data, { lang }).errors.filter((e) => FIELD_RULES.has(e.rule))
}
