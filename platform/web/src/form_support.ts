/**
 * Glue between a form definition (see forms/README.md) and @rjsf/core: labels in the citizen's
 * language, presentation-only visibility, and errors keyed by JSON Pointer turned into RJSF's
 * error schema so that each message sits under its own field.
 */
import type { ErrorSchema, UiSchema } from '@rjsf/utils'
import { evaluateCondition, type Condition, type NamedConditions } from '#shared/conditions'
import type { Lang } from './i18n'
import { FileUpload } from './widgets/FileUpload'

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

/**
 * The field an error's JSON Pointer names: its title in the (localized) schema, following
 * properties, array items and `$ref`s to `$defs`, and the id RJSF gives its input
 * (`/siblings/0/name` → `root_siblings_0_name`), so that a summary can name it and link to it.
 */
export function fieldAt(schema: unknown, pointer: string): { title: string | null; id: string } {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  const defs = isObject(schema) && isObject(schema.$defs) ? schema.$defs : {}
  const resolve = (node: unknown): unknown => {
    if (!isObject(node) || typeof node.$ref !== 'string') return node
    const target = defs[node.$ref.split('/').pop() ?? '']
    return isObject(target) ? { ...target, ...node, $ref: undefined } : node
  }
  let node = resolve(schema)
  let title: string | null = null
  for (const part of parts) {
    if (!isObject(node)) break
    if (isObject(node.properties) && part in node.properties) node = resolve(node.properties[part])
    else if (/^\d+$/.test(part) && node.items !== undefined) node = resolve(node.items)
    else break
    if (isObject(node) && typeof node.title === 'string') title = node.title
  }
  return { title, id: ['root', ...parts].join('_') }
}

/** Fields hidden while their `visible_when` is false; renders nothing, keeps the data. */
function Hidden() {
  return null
}

export function applyVisibility(ui: UiSchema, data: Json, named?: NamedConditions): UiSchema {
  const out: UiSchema = { ...ui }
  for (const [key, value] of Object.entries(ui)) {
    if (key.startsWith('ui:') || !isObject(value)) continue
    const options = isObject(value['ui:options']) ? (value['ui:options'] as Json) : undefined
    const when = options?.visible_when as Condition | undefined
    if (when && !safeEvaluate(when, data, named)) out[key] = { ...value, 'ui:field': Hidden }
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
    if (!list.includes(message)) list.push(message)
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
export function firingBlocchi(blocchi: Blocco[], data: Json, lang: Lang, named?: NamedConditions): Message[] {
  const out: Message[] = []
  for (const rule of blocchi) {
    if (!safeEvaluate(rule.condition, data, named)) continue
    const message = rule.message[lang] ?? rule.message.it
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
