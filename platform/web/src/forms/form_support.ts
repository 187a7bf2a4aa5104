/**
 * Glue between a form definition (see forms/README.md) and @rjsf/core: labels in the citizen's
 * language, presentation-only visibility, and errors keyed by JSON Pointer turned into RJSF's
 * error schema so that each message sits under its own field.
 */
import type { ErrorSchema, UiSchema } from '@rjsf/utils'
import { evaluateCondition, type Condition, type NamedConditions } from '#shared/conditions'
import type { Lang } from '#shared/contract'
import { fillFacts, withApplicantFacts, type ApplicantFacts } from '#shared/applicant_facts'
import { FileUpload } from '../widgets/FileUpload'

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

interface I18nBlock {
  title?: string
  description?: string
  enum?: Record<string, string>
}

/**
 * A copy of the schema with titles, descriptions and enum labels in `lang`. Enums become
 * `oneOf` of `const` + `title`, which validates the same values and gives RJSF a label per value.
 * Booleans keep RJSF's Yes/No, translated by `rjsfTranslator`.
 */
export function localizeSchema(node: unknown, lang: Lang): unknown {
  if (Array.isArray(node)) return node.map((n) => localizeSchema(n, lang))
  if (!isObject(node)) return node
  const out: Json = {}
  for (const [k, v] of Object.entries(node)) {
    if (k === 'x-i18n') continue
    out[k] = localizeSchema(v, lang)
  }
  const i18n = isObject(node['x-i18n']) ? (node['x-i18n'] as Record<string, I18nBlock>) : {}
  const own = i18n[lang] ?? {}
  if (lang !== 'it') {
    if (own.title) out.title = own.title
    if (own.description) out.description = own.description
  }
  if (Array.isArray(node.enum)) {
    const labels = own.enum ?? {}
    out.oneOf = node.enum.map((value) => ({ const: value, title: labels[String(value)] ?? String(value) }))
    delete out.enum
  }
  return out
}

/** A JSON Pointer's parts, unescaped ("/a~1b/0" → ["a/b", "0"]). */
export function pointerParts(pointer: string): string[] {
  if (!pointer || pointer === '/') return []
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** A schema node with its `$ref` to the root's `$defs` resolved (the node's own keys win). */
export function resolveRef(root: unknown, node: unknown): unknown {
  const defs = isObject(root) && isObject(root.$defs) ? root.$defs : {}
  let current = node
  for (let depth = 0; depth < 8 && isObject(current) && typeof current.$ref === 'string'; depth++) {
    const target = defs[current.$ref.split('/').pop() ?? '']
    if (!isObject(target)) break
    const { $ref: _ref, ...own } = current
    current = { ...target, ...own }
  }
  return current
}

/**
 * The field an error's JSON Pointer names, as a person finds it on the page: the titles from the
 * section down to the field ("Genitore o tutore pagante", "Codice fiscale"; an item of a list is
 * "Fratello o sorella 2"), and the id RJSF gives its input (`/siblings/0/name` →
 * `root_siblings_0_name`), so that a summary can name it and link to it. Two fields with the same
 * label in different sections never read the same.
 */
export function fieldAt(
  schema: unknown,
  pointer: string
): { labels: string[]; title: string | null; id: string; anchor: string } {
  const parts = pointerParts(pointer)
  let node = resolveRef(schema, schema)
  const labels: string[] = []
  // How far down the pointer a label was found: parts below it (a document's file name and size)
  // are one field for the citizen, and the summary names and links that field.
  let named = 0
  for (const [i, part] of parts.entries()) {
    if (!isObject(node)) break
    if (isObject(node.properties) && part in node.properties) {
      node = resolveRef(schema, node.properties[part])
      if (isObject(node) && typeof node.title === 'string') {
        labels.push(node.title)
        named = i + 1
      }
    } else if (/^\d+$/.test(part) && node.items !== undefined) {
      const listTitle = typeof node.title === 'string' ? node.title : null
      node = resolveRef(schema, node.items)
      const itemTitle = isObject(node) && typeof node.title === 'string' ? node.title : null
      // "Fratello o sorella 2" in place of the list's own title, which would only repeat it.
      if (itemTitle) {
        if (listTitle && labels.at(-1) === listTitle) labels.pop()
        labels.push(`${itemTitle} ${Number(part) + 1}`)
      } else labels.push(String(Number(part) + 1))
      named = i + 1
    } else break
  }
  const anchorParts = parts.slice(0, named)
  return {
    labels,
    title: labels.length ? labels.join(' — ') : null,
    id: ['root', ...anchorParts].join('_'),
    anchor: anchorParts.map((p) => `/${p}`).join(''),
  }
}

/**
 * A server message without the field's label in front of it («Valore ISEE (euro)»: campo
 * obbligatorio → campo obbligatorio): the page already names the field, next to the message.
 */
export function withoutLabel(message: string): string {
  const match = /^«[^»]*»:\s*(.+)$/s.exec(message)
  return match ? match[1] : message
}

/**
 * Fields hidden while their `visible_when` is false, or because they belong to another step:
 * renders nothing and keeps the data (the field template renders no wrapper for it either).
 */
export function Hidden() {
  return null
}

/**
 * What marks a field hidden in its uiSchema. RJSF re-renders a field only when its props differ
 * by deep comparison, and that comparison treats any two functions as equal: swapping the
 * `ui:field` component alone (Hidden ↔ FileUpload) would leave the field as it was. The flag is
 * data, so showing the field again is a change RJSF sees.
 */
const HIDDEN = { 'ui:field': Hidden, 'ui:hiddenField': true } as const

/** The uiSchema showing only `fields` of the top level: the others are hidden, data untouched. */
export function onlyFields(ui: UiSchema, all: string[], fields: string[]): UiSchema {
  const out: UiSchema = { ...ui }
  for (const key of all) {
    if (fields.includes(key)) continue
    const current = isObject(out[key]) ? (out[key] as Json) : {}
    out[key] = { ...current, ...HIDDEN }
  }
  return out
}

/** Whether a field's value says something (the summary lists only what was entered). */
export function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (isObject(value)) return Object.values(value).some(hasValue)
  return true
}

/** Whether the top-level field is shown for these data (its `visible_when`, if any, holds). */
export function isVisible(ui: UiSchema, key: string, data: Json, named?: NamedConditions): boolean {
  const value = ui[key]
  const options = isObject(value) && isObject(value['ui:options']) ? (value['ui:options'] as Json) : undefined
  const when = options?.visible_when as Condition | undefined
  return !when || safeEvaluate(when, data, named)
}

export function applyVisibility(ui: UiSchema, data: Json, named?: NamedConditions): UiSchema {
  const out: UiSchema = { ...ui }
  for (const [key, value] of Object.entries(ui)) {
    if (key.startsWith('ui:') || !isObject(value)) continue
    const options = isObject(value['ui:options']) ? (value['ui:options'] as Json) : undefined
    const when = options?.visible_when as Condition | undefined
    if (when && !safeEvaluate(when, data, named)) out[key] = { ...value, ...HIDDEN }
  }
  return out
}

/**
 * The data without the top-level fields currently hidden. RJSF keeps (and pre-fills with empty
 * objects) the fields of the branch not taken, e.g. the community head when a parent applies; the
 * server would read them as a half-filled answer, so they are not sent.
 */
export function visibleData(ui: UiSchema, data: Json, named?: NamedConditions): Json {
  const out: Json = { ...data }
  for (const [key, value] of Object.entries(ui)) {
    if (key.startsWith('ui:') || !isObject(value)) continue
    const options = isObject(value['ui:options']) ? (value['ui:options'] as Json) : undefined
    const when = options?.visible_when as Condition | undefined
    if (when && !safeEvaluate(when, data, named)) delete out[key]
  }
  return out
}

export function safeEvaluate(condition: Condition, data: Json, named?: NamedConditions): boolean {
  try {
    return evaluateCondition(condition, data, named)
  } catch {
    // A condition the browser cannot evaluate is left to the server, which has the last word.
    return false
  }
}

export interface Message {
  path: string
  message: string
}

export function toErrorSchema(messages: Message[]): ErrorSchema {
  const root: Json = {}
  for (const { path, message } of messages) {
    let node = root
    const parts =
      path && path !== '/'
        ? path
            .slice(1)
            .split('/')
            .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        : []
    for (const part of parts) {
      if (!isObject(node[part])) node[part] = {}
      node = node[part] as Json
    }
    const list = (node.__errors as string[] | undefined) ?? []
    const text = withoutLabel(message)
    if (!list.includes(text)) list.push(text)
    node.__errors = list
  }
  return root as ErrorSchema
}

export interface Blocco {
  id: string
  condition: Condition
  paths: string[]
  message: Record<string, string>
}

/** BLOCCO rules that fire on the current data, one message per blocked path. */
export function firingBlocchi(
  blocchi: Blocco[],
  data: Json,
  lang: Lang,
  named?: NamedConditions,
  facts?: Partial<ApplicantFacts> | null
): Message[] {
  const out: Message[] = []
  // The applicant's facts from the platform (their overdue debt) read as the server reads them.
  const withFacts = withApplicantFacts(data, facts)
  for (const rule of blocchi) {
    if (!safeEvaluate(rule.condition, withFacts, named)) continue
    const message = fillFacts(rule.message[lang] ?? rule.message.it, facts)
    for (const path of rule.paths) out.push({ path, message })
  }
  return out
}

/** Italian strings for RJSF's own buttons and labels; English keeps RJSF's defaults. */
const RJSF_IT: Record<string, string> = {
  'Add Item': 'Aggiungi',
  'Add': 'Aggiungi',
  'Remove': 'Rimuovi',
  'Move up': 'Sposta su',
  'Move down': 'Sposta giù',
  'Copy': 'Copia',
  'Yes': 'Sì',
  'No': 'No',
  'Item': 'Elemento',
  'Errors': 'Errori',
  'Clear': 'Cancella',
  'Now': 'Ora',
}

export function rjsfTranslator(lang: Lang) {
  return (key: string, params?: string[]) => {
    let text = lang === 'it' ? (RJSF_IT[key] ?? key) : key
    params?.forEach((p, i) => {
      text = text.replaceAll(`%${i + 1}`, p)
    })
    return text
  }
}

/**
 * Replaces the top-level attachment fields (form `attachments`, keyed by JSON Pointer) with the
 * upload control, which gets the field's pointer, types and size limit in `ui:options.attachment`.
 */
export function withAttachmentFields(ui: UiSchema, definition: { attachments?: Record<string, unknown> }): UiSchema {
  const out: UiSchema = { ...ui }
  for (const [pointer, rule] of Object.entries(definition.attachments ?? {})) {
    const parts = pointer.split('/').slice(1)
    if (parts.length !== 1) continue
    const key = parts[0]
    const current = isObject(out[key]) ? (out[key] as Json) : {}
    const options = isObject(current['ui:options']) ? (current['ui:options'] as Json) : {}
    out[key] = {
      ...current,
      'ui:field': FileUpload,
      'ui:options': { ...options, attachment: { ...(isObject(rule) ? rule : {}), pointer } },
    }
  }
  return out
}
