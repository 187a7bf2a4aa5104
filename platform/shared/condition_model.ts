/**
 * The point-and-click condition editor's model of a json-rules-engine condition (conditions.ts),
 * and the fields it offers, read from a form's JSON Schema or a rule set's facts.
 *
 * `toModel` then `toCondition` gives back the very condition it was given, for every input: what
 * the editor can edit becomes a group, a negation, a reference to a named condition or a leaf;
 * anything else (an unknown key, an unknown operator, a value no input can show) becomes a `raw`
 * node that keeps its JSON as is and says why, so it is shown as JSON and never dropped.
 *
 * The editor is ours rather than a query-builder library's: our syntax carries what those models
 * have no place for (a `path` into a fact, a fact compared with another fact, references to named
 * conditions, `not` over a single comparison, `null` values, `name` / `priority` / `params` kept
 * as they are), so the library would have needed this very mapping plus its own value editors for
 * each type, and a tree of labelled selects is little code on Bootstrap Italia's own controls.
 *
 * Browser-safe like conditions.ts: no Node API, no server import.
 */
import type { ComparisonOperator, Operator, UnaryOperator } from './conditions.js'

export type Lang = 'it' | 'en'
export type Scalar = string | number | boolean

export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
]
export const UNARY_OPERATORS: readonly UnaryOperator[] = ['isEmpty', 'isNotEmpty', 'exists']
export const ORDER_OPERATORS: readonly Operator[] = [
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
]
export const LIST_OPERATORS: readonly Operator[] = ['in', 'notIn']

/** What the keys besides the structure may hold (json-rules-engine keeps them; evaluation ignores them). */
export interface Extra {
  name?: unknown
  priority?: unknown
  params?: unknown
}

export type LeafValue =
  /** A unary operator: no `value` key. */
  | { kind: 'none' }
  | { kind: 'constant'; value: Scalar }
  | { kind: 'list'; value: Scalar[] }
  | { kind: 'null' }
  /** Compared with another fact: `{ "fact": "...", "path"?: "..." }`. */
  | { kind: 'fact'; fact: string; path?: string }

/** Why a part of a condition is shown as JSON. */
export type RawReason = 'not-object' | 'unknown-keys' | 'not-a-list' | 'operator' | 'value' | 'fact'

export type EditorNode =
  | { kind: 'group'; id: string; combinator: 'all' | 'any'; children: EditorNode[]; extra: Extra }
  | { kind: 'not'; id: string; child: EditorNode; extra: Extra }
  | { kind: 'ref'; id: string; name: string; extra: Extra }
  | { kind: 'leaf'; id: string; fact: string; path?: string; operator: Operator; value: LeafValue; extra: Extra }
  | { kind: 'raw'; id: string; json: unknown; reason: RawReason; detail: string }

let counter = 0
export const newId = () => `c${++counter}`

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key)
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))

const EXTRA_KEYS = ['name', 'priority', 'params'] as const
const GROUP_KEYS = new Set(['all', 'any', 'name', 'priority'])
const NOT_KEYS = new Set(['not', 'name', 'priority'])
const REF_KEYS = new Set(['condition', 'name', 'priority'])
const LEAF_KEYS = new Set(['fact', 'operator', 'value', 'path', 'name', 'priority', 'params'])

function extraOf(node: Record<string, unknown>): Extra {
  const extra: Extra = {}
  for (const key of EXTRA_KEYS) if (hasOwn(node, key)) extra[key] = node[key]
  return extra
}

function raw(json: unknown, reason: RawReason, detail = ''): EditorNode {
  return { kind: 'raw', id: newId(), json, reason, detail }
}

function unknownKeys(node: Record<string, unknown>, allowed: Set<string>): string[] {
  return Object.keys(node).filter((k) => !allowed.has(k))
}

function leafValue(node: Record<string, unknown>, operator: Operator): LeafValue | null {
  const present = hasOwn(node, 'value')
  if ((UNARY_OPERATORS as readonly string[]).includes(operator)) return present ? null : { kind: 'none' }
  if (!present) return null
  const value = node.value
  if (value === null) return { kind: 'null' }
  if (isObject(value)) {
    const keys = Object.keys(value)
    const onlyRef = keys.every((k) => k === 'fact' || k === 'path')
    if (!onlyRef || typeof value.fact !== 'string' || value.fact.length === 0) return null
    if (hasOwn(value, 'path') && typeof value.path !== 'string') return null
    return hasOwn(value, 'path')
      ? { kind: 'fact', fact: value.fact, path: value.path as string }
      : { kind: 'fact', fact: value.fact }
  }
  if (Array.isArray(value)) {
    if (!(LIST_OPERATORS as readonly string[]).includes(operator)) return null
    return value.every(isScalar) ? { kind: 'list', value: [...value] } : null
  }
  if (!isScalar(value)) return null
  if ((LIST_OPERATORS as readonly string[]).includes(operator)) return null
  return { kind: 'constant', value }
}

/** The editor's model of a condition. Never throws; what it cannot edit becomes a `raw` node. */
export function toModel(condition: unknown, depth = 0): EditorNode {
  if (!isObject(condition)) return raw(condition, 'not-object')
  // A very deep condition is shown as JSON below this depth: the editor stays usable.
  if (depth > 24) return raw(condition, 'unknown-keys', 'depth')
  const extra = extraOf(condition)
  if (hasOwn(condition, 'all') || hasOwn(condition, 'any')) {
    const combinator = hasOwn(condition, 'all') ? 'all' : 'any'
    const bad = unknownKeys(condition, GROUP_KEYS).concat(
      combinator === 'all' && hasOwn(condition, 'any') ? ['any'] : []
    )
    if (bad.length > 0) return raw(condition, 'unknown-keys', bad.join(', '))
    const list = condition[combinator]
    if (!Array.isArray(list)) return raw(condition, 'not-a-list', combinator)
    return { kind: 'group', id: newId(), combinator, children: list.map((c) => toModel(c, depth + 1)), extra }
  }
  if (hasOwn(condition, 'not')) {
    const bad = unknownKeys(condition, NOT_KEYS)
    if (bad.length > 0) return raw(condition, 'unknown-keys', bad.join(', '))
    return { kind: 'not', id: newId(), child: toModel(condition.not, depth + 1), extra }
  }
  if (hasOwn(condition, 'condition')) {
    const bad = unknownKeys(condition, REF_KEYS)
    if (bad.length > 0) return raw(condition, 'unknown-keys', bad.join(', '))
    if (typeof condition.condition !== 'string') return raw(condition, 'not-object', 'condition')
    return { kind: 'ref', id: newId(), name: condition.condition, extra }
  }
  const bad = unknownKeys(condition, LEAF_KEYS)
  if (bad.length > 0 || !hasOwn(condition, 'fact') || !hasOwn(condition, 'operator')) {
    return raw(condition, 'unknown-keys', bad.join(', '))
  }
  if (typeof condition.fact !== 'string' || condition.fact.length === 0) return raw(condition, 'fact')
  if (hasOwn(condition, 'path') && typeof condition.path !== 'string') return raw(condition, 'unknown-keys', 'path')
  const operator = condition.operator
  if (
    typeof operator !== 'string' ||
    !([...COMPARISON_OPERATORS, ...UNARY_OPERATORS] as readonly string[]).includes(operator)
  ) {
    return raw(condition, 'operator', String(operator))
  }
  const value = leafValue(condition, operator as Operator)
  if (!value) return raw(condition, 'value', operator)
  const leaf: EditorNode = {
    kind: 'leaf',
    id: newId(),
    fact: condition.fact,
    operator: operator as Operator,
    value,
    extra,
  }
  if (hasOwn(condition, 'path')) leaf.path = condition.path as string
  return leaf
}

function withExtra(out: Record<string, unknown>, extra: Extra): Record<string, unknown> {
  for (const key of EXTRA_KEYS) if (hasOwn(extra, key)) out[key] = extra[key]
  return out
}

/** The condition the model stands for. */
export function toCondition(node: EditorNode): unknown {
  switch (node.kind) {
    case 'raw':
      return node.json
    case 'group':
      return withExtra({ [node.combinator]: node.children.map(toCondition) }, node.extra)
    case 'not':
      return withExtra({ not: toCondition(node.child) }, node.extra)
    case 'ref':
      return withExtra({ condition: node.name }, node.extra)
    case 'leaf': {
      const out: Record<string, unknown> = { fact: node.fact }
      if (node.path !== undefined) out.path = node.path
      out.operator = node.operator
      const v = node.value
      if (v.kind === 'constant') out.value = v.value
      else if (v.kind === 'list') out.value = [...v.value]
      else if (v.kind === 'null') out.value = null
      else if (v.kind === 'fact') out.value = v.path === undefined ? { fact: v.fact } : { fact: v.fact, path: v.path }
      return withExtra(out, node.extra)
    }
  }
}

/** Whether any part of the model is shown as JSON. */
export function hasRaw(node: EditorNode): boolean {
  if (node.kind === 'raw') return true
  if (node.kind === 'group') return node.children.some(hasRaw)
  if (node.kind === 'not') return hasRaw(node.child)
  return false
}

// ---------------------------------------------------------------------------------------------
// Fields offered by the editor.

export type FieldType = 'number' | 'integer' | 'string' | 'date' | 'boolean' | 'enum' | 'array' | 'object' | 'unknown'

export interface FieldOption {
  fact: string
  path?: string
  type: FieldType
  label: Record<Lang, string>
  /** Enum fields: the values, with their labels in each language (the value itself when none). */
  options?: Array<{ value: Scalar; label: Record<Lang, string> }>
  /** An amount in euro (the title or description says so): the description writes it as money. */
  money?: boolean
}

export const fieldKey = (fact: string, path?: string) => `${fact}\u0000${path ?? ''}`

type Obj = Record<string, unknown>

function deref(root: unknown, node: unknown): unknown {
  let current = node
  for (let hops = 0; hops < 32 && isObject(current) && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref
    if (!ref.startsWith('#/')) return current
    let target: unknown = root
    for (const part of ref.slice(2).split('/')) {
      const seg = part.replace(/~1/g, '/').replace(/~0/g, '~')
      target = isObject(target) && hasOwn(target, seg) ? target[seg] : undefined
    }
    // Keywords written beside the $ref (a title) win over the target's.
    current = isObject(target)
      ? { ...target, ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')) }
      : undefined
  }
  return current
}

function text(node: Obj, key: 'title' | 'description', lang: Lang): string | undefined {
  const i18n = node['x-i18n']
  const translated = isObject(i18n) && isObject(i18n[lang]) ? i18n[lang][key] : undefined
  if (typeof translated === 'string') return translated
  return typeof node[key] === 'string' ? (node[key] as string) : undefined
}

function typeOf(node: Obj, uiNode: unknown): FieldType {
  if (Array.isArray(node.enum)) return 'enum'
  const types = [node.type].flat().filter((t): t is string => typeof t === 'string')
  if (types.includes('boolean')) return 'boolean'
  if (types.includes('integer')) return 'integer'
  if (types.includes('number')) return 'number'
  if (types.includes('array')) return 'array'
  if (types.includes('object')) return 'object'
  if (types.includes('string')) {
    if (node.format === 'date' || (isObject(uiNode) && uiNode['ui:widget'] === 'date')) return 'date'
    return 'string'
  }
  if (isObject(node.properties)) return 'object'
  return 'unknown'
}

function enumOptions(node: Obj): FieldOption['options'] {
  if (!Array.isArray(node.enum)) return undefined
  const i18n = isObject(node['x-i18n']) ? node['x-i18n'] : {}
  const labelIn = (lang: Lang, value: unknown) => {
    const table = isObject(i18n[lang]) && isObject((i18n[lang] as Obj).enum) ? ((i18n[lang] as Obj).enum as Obj) : {}
    const label = table[String(value)]
    return typeof label === 'string' ? label : String(value)
  }
  return node.enum.filter(isScalar).map((value) => {
    const it = labelIn('it', value)
    const en = labelIn('en', value)
    // A value with no English label reads as its Italian one.
    return { value, label: { it, en: en === String(value) ? it : en } }
  })
}

const MONEY = /\b(euro|eur)\b|€|\bISEE\b/i

function option(
  root: unknown,
  node: unknown,
  uiNode: unknown,
  fact: string,
  path: string | undefined,
  fallback: string
): FieldOption | null {
  const resolved = deref(root, node)
  if (!isObject(resolved)) return null
  const type = typeOf(resolved, uiNode)
  const label = { it: text(resolved, 'title', 'it') ?? fallback, en: text(resolved, 'title', 'en') ?? fallback }
  const description = `${label.it} ${text(resolved, 'description', 'it') ?? ''}`
  const field: FieldOption = { fact, type, label }
  if (path !== undefined) field.path = path
  const options = enumOptions(resolved)
  if (options) field.options = options
  if ((type === 'number' || type === 'integer') && MONEY.test(description)) field.money = true
  return field
}

/** How many array items the editor offers paths for (`$[0]` … `$[n-1]`). */
const MAX_ITEMS_OFFERED = 5
/** At most this many fields are offered, whatever the schema's size. */
const MAX_FIELDS = 400

/**
 * The facts about the applicant the platform gives a form's BLOCCO rules beside the form's data
 * (shared/applicant_facts.ts): offered in the condition editor like the form's own fields.
 */
export const APPLICANT_FIELDS: ReadonlyArray<FieldOption> = [
  {
    fact: 'blocco_debiti',
    type: 'boolean',
    label: { it: 'Ente: domande bloccate per debiti scaduti', en: 'Tenant: applications blocked for overdue debts' },
  },
  {
    fact: 'debito_scaduto_cents',
    type: 'integer',
    label: { it: 'Debito scaduto del richiedente (centesimi)', en: "Applicant's overdue debt (cents)" },
  },
  {
    fact: 'debito_scaduto',
    type: 'string',
    label: { it: 'Debito scaduto del richiedente (testo)', en: "Applicant's overdue debt (text)" },
  },
]

/** What a form's BLOCCO rules may read: the form's fields, then the applicant's facts. */
export function bloccoFields(schema: unknown, uiSchema: unknown = {}): FieldOption[] {
  const own = fieldsFromSchema(schema, uiSchema)
  const taken = new Set(own.map((f) => fieldKey(f.fact, f.path)))
  return [...own, ...APPLICANT_FIELDS.filter((f) => !taken.has(fieldKey(f.fact, f.path)))]
}

/**
 * The fields of a form's data (top-level properties are the facts; an object's properties and a
 * list's items are reached with a path, `$.city`, `$[0].school_name`, `$.length`), or of a rule
 * set's facts schema, in schema order. A form that adds properties in `allOf` / `if`-`then`
 * branches has them offered too.
 */
export function fieldsFromSchema(schema: unknown, uiSchema: unknown = {}): FieldOption[] {
  const out: FieldOption[] = []
  const seen = new Set<string>()
  const push = (field: FieldOption | null) => {
    if (!field || out.length >= MAX_FIELDS) return
    const key = fieldKey(field.fact, field.path)
    if (seen.has(key)) return
    seen.add(key)
    out.push(field)
  }
  const root = schema
  const propertiesOf = (node: unknown, depth: number): Array<[string, unknown]> => {
    const resolved = deref(root, node)
    if (!isObject(resolved) || depth > 4) return []
    const own = isObject(resolved.properties) ? Object.entries(resolved.properties) : []
    const branches = ['allOf', 'anyOf', 'oneOf']
      .flatMap((k) => (Array.isArray(resolved[k]) ? (resolved[k] as unknown[]) : []))
      .concat(['then', 'else'].map((k) => resolved[k]).filter((n) => n !== undefined))
    return own.concat(branches.flatMap((b) => propertiesOf(b, depth + 1)))
  }
  const uiOf = (ui: unknown, key: string) => (isObject(ui) ? ui[key] : undefined)
  const nested = (fact: string, node: unknown, ui: unknown, prefix: string, label: string, depth: number) => {
    const resolved = deref(root, node)
    if (!isObject(resolved) || depth > 3) return
    const type = typeOf(resolved, ui)
    if (type === 'object') {
      for (const [key, child] of propertiesOf(resolved, 0)) {
        if (!/^[A-Za-z_$][\w$-]*$/.test(key)) continue
        const path = `${prefix}.${key}`
        const childUi = uiOf(ui, key)
        const field = option(root, child, childUi, fact, path, key)
        if (field) field.label = { it: `${label} › ${field.label.it}`, en: `${label} › ${field.label.en}` }
        push(field)
        nested(fact, child, childUi, path, field?.label.it ?? key, depth + 1)
      }
    } else if (type === 'array') {
      push({
        fact,
        path: `${prefix}.length`,
        type: 'integer',
        label: { it: `${label} (numero)`, en: `${label} (count)` },
      })
      const max =
        typeof resolved.maxItems === 'number' ? Math.min(resolved.maxItems, MAX_ITEMS_OFFERED) : MAX_ITEMS_OFFERED
      for (let i = 0; i < max; i++) {
        const path = `${prefix}[${i}]`
        const field = option(root, resolved.items, uiOf(ui, 'items'), fact, path, `${i + 1}`)
        if (!field) continue
        field.label = { it: `${label} n. ${i + 1}`, en: `${label} no. ${i + 1}` }
        push(field)
        nested(fact, resolved.items, uiOf(ui, 'items'), path, field.label.it, depth + 1)
      }
    }
  }
  for (const [fact, node] of propertiesOf(schema, 0)) {
    const ui = uiOf(uiSchema, fact)
    const field = option(root, node, ui, fact, undefined, fact)
    push(field)
    if (field && (field.type === 'object' || field.type === 'array')) nested(fact, node, ui, '$', field.label.it, 0)
  }
  return out
}

const OUTPUT_TYPES: Record<string, FieldType> = {
  money: 'number',
  decimal: 'number',
  integer: 'integer',
  boolean: 'boolean',
  text: 'string',
}

/**
 * What a named condition of a rule set version can read: its facts (from the facts schema, typed)
 * and the variables its steps set (typed by their output when they are one).
 */
export function ruleSetFields(version: {
  facts_schema?: unknown
  steps?: Array<{ set?: unknown }>
  outputs?: Record<string, { type?: string }>
}): FieldOption[] {
  const fields = fieldsFromSchema(version.facts_schema ?? {})
  const known = new Set(fields.map((f) => f.fact))
  for (const step of version.steps ?? []) {
    if (typeof step.set !== 'string' || known.has(step.set)) continue
    known.add(step.set)
    fields.push({
      fact: step.set,
      type: OUTPUT_TYPES[version.outputs?.[step.set]?.type ?? ''] ?? 'unknown',
      label: { it: step.set, en: step.set },
    })
  }
  return fields
}

/** The field a leaf reads, or a stand-in of unknown type for a fact the schema does not describe. */
export function fieldFor(fields: readonly FieldOption[], fact: string, path?: string): FieldOption {
  const key = fieldKey(fact, path)
  return (
    fields.find((f) => fieldKey(f.fact, f.path) === key) ?? {
      fact,
      ...(path !== undefined ? { path } : {}),
      type: 'unknown',
      label: { it: path ? `${fact} ${path}` : fact, en: path ? `${fact} ${path}` : fact },
    }
  )
}

/** The operators offered for a field's type (a leaf's own operator is always offered too). */
export function operatorsFor(type: FieldType): Operator[] {
  switch (type) {
    case 'number':
    case 'integer':
      return ['equal', 'notEqual', ...ORDER_OPERATORS, 'in', 'notIn', 'exists', 'isEmpty', 'isNotEmpty']
    case 'boolean':
      return ['equal', 'notEqual', 'exists', 'isEmpty', 'isNotEmpty']
    case 'string':
    case 'date':
    case 'enum':
      return ['equal', 'notEqual', 'in', 'notIn', 'exists', 'isEmpty', 'isNotEmpty']
    case 'array':
      return ['contains', 'doesNotContain', 'exists', 'isEmpty', 'isNotEmpty']
    case 'object':
      return ['exists', 'isEmpty', 'isNotEmpty']
    default:
      return [...COMPARISON_OPERATORS, ...UNARY_OPERATORS]
  }
}

/** A sensible first value for a field. */
export function defaultValue(field: FieldOption): Scalar {
  if (field.options && field.options.length > 0) return field.options[0].value
  if (field.type === 'boolean') return true
  if (field.type === 'number' || field.type === 'integer') return 0
  return ''
}

/** The value a leaf gets when its operator changes: kept where it still fits. */
export function valueForOperator(operator: Operator, previous: LeafValue, field: FieldOption): LeafValue {
  if ((UNARY_OPERATORS as readonly string[]).includes(operator)) return { kind: 'none' }
  if (previous.kind === 'fact') return previous
  if ((LIST_OPERATORS as readonly string[]).includes(operator)) {
    if (previous.kind === 'list') return previous
    return { kind: 'list', value: previous.kind === 'constant' ? [previous.value] : [] }
  }
  if (previous.kind === 'constant') return previous
  if (previous.kind === 'null' && (operator === 'equal' || operator === 'notEqual')) return previous
  if (previous.kind === 'list' && previous.value.length > 0) return { kind: 'constant', value: previous.value[0] }
  return { kind: 'constant', value: defaultValue(field) }
}

/** A new leaf on a field: its first operator, its default value. */
export function newLeaf(field: FieldOption): EditorNode {
  const operator = operatorsFor(field.type)[0]
  const leaf: EditorNode = {
    kind: 'leaf',
    id: newId(),
    fact: field.fact,
    operator,
    value: valueForOperator(operator, { kind: 'none' }, field),
    extra: {},
  }
  if (field.path !== undefined) leaf.path = field.path
  return leaf
}

/**
 * Reads what a person typed for a number: a point or a comma for the decimals. The number itself
 * when it prints back the same, else the decimal string (kept exact); null when it is not a number.
 */
export function parseAmount(typed: string): number | string | null {
  const textValue = typed.trim().replace(',', '.')
  if (!/^-?(0|[1-9]\d{0,14})(\.\d{1,15})?$/.test(textValue)) return null
  const n = Number(textValue)
  return String(n) === textValue ? n : textValue
}

// ---------------------------------------------------------------------------------------------
// Editing the tree: each change gives a new tree, the nodes not on the way shared.

/**
 * The tree with the node `id` replaced by what `change` gives: a node, or null to take it out of
 * its group (a negation whose only child is taken out goes with it; the root is never removed).
 */
export function updateNode(root: EditorNode, id: string, change: (node: EditorNode) => EditorNode | null): EditorNode {
  const walk = (node: EditorNode): EditorNode | null => {
    if (node.id === id) return change(node)
    if (node.kind === 'group') {
      let changed = false
      const children: EditorNode[] = []
      for (const child of node.children) {
        const next = walk(child)
        if (next !== child) changed = true
        if (next) children.push(next)
      }
      return changed ? { ...node, children } : node
    }
    if (node.kind === 'not') {
      const next = walk(node.child)
      if (next === node.child) return node
      return next ? { ...node, child: next } : null
    }
    return node
  }
  return walk(root) ?? root
}

/** Moves a node one place up (-1) or down (+1) in its group. */
export function moveNode(root: EditorNode, id: string, by: -1 | 1): EditorNode {
  const walk = (node: EditorNode): EditorNode => {
    if (node.kind === 'group') {
      const at = node.children.findIndex((c) => c.id === id)
      if (at >= 0) {
        const to = at + by
        if (to < 0 || to >= node.children.length) return node
        const children = [...node.children]
        children.splice(at, 1)
        children.splice(to, 0, node.children[at])
        return { ...node, children }
      }
      const children = node.children.map(walk)
      return children.some((c, i) => c !== node.children[i]) ? { ...node, children } : node
    }
    if (node.kind === 'not') {
      const child = walk(node.child)
      return child === node.child ? node : { ...node, child }
    }
    return node
  }
  return walk(root)
}

/** Wraps a node in a negation. */
export function negate(node: EditorNode): EditorNode {
  return { kind: 'not', id: newId(), child: node, extra: {} }
}
