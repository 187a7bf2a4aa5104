/**
 * The designer's edits of a canonical form (forms/README.md): add a field of a kind, move it, remove
 * it, change its labels (it, en), its kind, whether it is required, its options and its limits. A
 * field is named by its path in the data: `["iban"]` at the top, `["student", "first_name"]` inside
 * an object, `["siblings", "*", "school_name"]` inside the items of a list. Every edit returns a new
 * definition; BLOCCO rules are left as they are (the condition editor owns them).
 *
 * Groups and options may live in a shared part of the form (an entry of `$defs` that several fields
 * reference, bundled there from forms/_shared by the loader): an edit inside one is made there, once,
 * and every field that references it changes with it (`sharedPartsOf` names them for the designer).
 *
 * Browser-safe: no Node API.
 */
import { fieldsWithRules as fieldsWithRulesOf } from './blocco_rule.js'

type Obj = Record<string, unknown>

/** A canonical form as the designer holds it (plain JSON). */
export type FormDefinitionJson = Record<string, unknown> & {
  id: string
  service: string
  title: Record<string, string>
  schema: Record<string, unknown> & { properties: Record<string, Record<string, unknown>>; required?: string[] }
  uiSchema: Record<string, unknown>
  blocchi: Array<Record<string, unknown>>
}

/** A field by its data path; "*" stands for every item of a list. */
export type FieldPath = readonly string[]

export const FIELD_KINDS = [
  'text',
  'textarea',
  'number',
  'currency',
  'date',
  'yesno',
  'checkbox',
  'radio',
  'select',
  'email',
  'phone',
  'codice_fiscale',
  'iban',
  'catalog',
  'static',
] as const
export type FieldKind = (typeof FIELD_KINDS)[number]

/**
 * The platform's own lists a catalog-sourced select can take its options from (forms/README.md);
 * the lists the services' plugins declare are read from the tenant's catalog (GET /catalog/sources).
 */
export const PLATFORM_SOURCES = ['schools', 'classes', 'sections'] as const

export const PHONE_PATTERN = '^\\+?[0-9][0-9 ]{5,18}$'

/** The name a field's data takes: lower case, digits and "_", starting with a letter. */
export const FIELD_KEY = /^[a-z][a-z0-9_]{0,63}$/

export interface NewField {
  key: string
  kind: FieldKind
  labelIt: string
  labelEn: string
  required: boolean
  /** Choices, one a line: "value | label it | label en". */
  options: string
  source: string
  step: string
}

const clone = <T>(value: T): T => structuredClone(value)
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** "siblings/*\/school_name": a field's path as one string (keys never hold "/"). */
export const pathKey = (path: FieldPath): string => path.join('/')

/** A field's path as a piece of an HTML id ("siblings--items--school_name"). */
export const pathId = (path: FieldPath): string => path.map((s) => (s === '*' ? 'items' : s)).join('--')

const MAX_REFS = 8
const MAX_DEPTH = 16

function defs(def: FormDefinitionJson): Record<string, Obj> {
  return (isObj(def.schema.$defs) ? def.schema.$defs : {}) as Record<string, Obj>
}

function defName(ref: unknown): string | null {
  return typeof ref === 'string' && ref.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : null
}

/** A node merged with what its `$ref` chain points at (the node's own keys win): for reading. */
function resolve(def: FormDefinitionJson, node: Obj): Obj {
  let current = node
  for (let i = 0; i < MAX_REFS && typeof current.$ref === 'string'; i++) {
    const target = defs(def)[defName(current.$ref) ?? '']
    if (!target) return current
    const { $ref: _ref, ...local } = current
    current = { ...target, ...local }
  }
  return current
}

/**
 * The node that holds a group's children (its `properties` or `items`) or a choice's `enum`: the
 * node itself when it has them, else the shared definition it references. Edits go there.
 */
function holder(def: FormDefinitionJson, node: Obj, has: (n: Obj) => boolean): { node: Obj; shared: string[] } {
  const shared: string[] = []
  let current = node
  for (let i = 0; i < MAX_REFS && !has(current) && typeof current.$ref === 'string'; i++) {
    const name = defName(current.$ref)
    const target = name ? defs(def)[name] : undefined
    if (!target) break
    shared.push(name as string)
    current = target
  }
  return { node: current, shared }
}

const hasChildren = (n: Obj) => isObj(n.properties) || isObj(n.items)

interface Located {
  /** The object schema whose `properties` hold the field. */
  owner: Obj
  key: string
  /** The shared definitions crossed on the way (the owner lives in the last one, when any). */
  shared: string[]
}

/** Where a field sits in the schema, following groups and shared definitions; null when it does not. */
function locate(def: FormDefinitionJson, path: FieldPath): Located | null {
  if (path.length === 0 || path.length > MAX_DEPTH) return null
  let owner: Obj = def.schema
  const shared: string[] = []
  for (const segment of path.slice(0, -1)) {
    const next =
      segment === '*' ? owner.items : isObj(owner.properties) ? (owner.properties as Obj)[segment] : undefined
    if (!isObj(next)) return null
    const found = holder(def, next, hasChildren)
    shared.push(...found.shared)
    owner = found.node
  }
  const key = path[path.length - 1]
  if (key === '*' || !isObj(owner.properties) || !isObj((owner.properties as Obj)[key])) return null
  return { owner, key, shared }
}

function nodeAt(def: FormDefinitionJson, path: FieldPath): Obj | null {
  const at = locate(def, path)
  return at ? ((at.owner.properties as Obj)[at.key] as Obj) : null
}

/** The object schema that holds a group's fields (path [] is the form itself). */
function groupNode(def: FormDefinitionJson, group: FieldPath): Obj | null {
  if (group.length === 0) return def.schema
  if (group[group.length - 1] === '*') {
    const list = nodeAt(def, group.slice(0, -1))
    if (!list) return null
    const items = holder(def, list, (n) => isObj(n.items)).node.items
    return isObj(items) ? holder(def, items, (n) => isObj(n.properties)).node : null
  }
  const node = nodeAt(def, group)
  return node ? holder(def, node, (n) => isObj(n.properties)).node : null
}

/** The uiSchema entry of a path ("*" is `items`), created on the way when asked. */
function uiAt(ui: Obj, path: FieldPath, create = false): Obj | null {
  let current = ui
  for (const segment of path) {
    const name = segment === '*' ? 'items' : segment
    if (!isObj(current[name])) {
      if (!create) return null
      current[name] = {}
    }
    current = current[name] as Obj
  }
  return current
}

/** The fields of a group (the form itself by default) in the order the citizen sees them. */
export function fieldOrder(def: FormDefinitionJson, group: FieldPath = []): string[] {
  const node = groupNode(def, group)
  if (!node || !isObj(node.properties)) return []
  const keys = Object.keys(node.properties)
  const listed = uiAt(def.uiSchema, group)?.['ui:order']
  if (!Array.isArray(listed)) return keys
  const ordered = (listed as unknown[]).filter((k): k is string => typeof k === 'string' && keys.includes(k))
  // Fields the order does not name come where its "*" is (RJSF's rule), else at the end.
  const rest = keys.filter((k) => !ordered.includes(k))
  const star = (listed as unknown[]).indexOf('*')
  if (star < 0) return [...ordered, ...rest]
  const before = (listed as unknown[])
    .slice(0, star)
    .filter((k): k is string => typeof k === 'string' && keys.includes(k))
  return [...before, ...rest, ...ordered.filter((k) => !before.includes(k))]
}

/** The kind a field shows as in the list (what the builder would call its component). */
export function kindOf(def: FormDefinitionJson, path: FieldPath): string {
  const node = resolve(def, nodeAt(def, path) ?? {})
  const ui = uiAt(def.uiSchema, path) ?? {}
  const options = (ui['ui:options'] ?? {}) as Obj
  if (node.type === 'null') return 'static'
  if (ui['ui:field'] === 'attachment') return 'file'
  if (node.type === 'array') {
    const items = isObj(node.items) ? resolve(def, node.items) : {}
    return items.type === 'object' ? 'group_list' : 'list'
  }
  if (node.type === 'object') return 'group'
  if (node.type === 'boolean') return ui['ui:widget'] === 'radio' ? 'yesno' : 'checkbox'
  if (typeof options.source === 'string') return 'catalog'
  if (Array.isArray(node.enum)) return ui['ui:widget'] === 'radio' ? 'radio' : 'select'
  if (node.format === 'date') return 'date'
  if (node.format === 'email') return 'email'
  if (node.format === 'codice-fiscale') return 'codice_fiscale'
  if (node.format === 'iban') return 'iban'
  if (node.pattern === PHONE_PATTERN) return 'phone'
  if (node.type === 'number' || node.type === 'integer') return node['x-currency'] ? 'currency' : 'number'
  if (ui['ui:widget'] === 'textarea') return 'textarea'
  return 'text'
}

/** The group a field opens onto: its own path for an object, its items for a list of objects. */
export function childGroup(def: FormDefinitionJson, path: FieldPath): FieldPath | null {
  const kind = kindOf(def, path)
  if (kind === 'group') return path
  if (kind === 'group_list') return [...path, '*']
  return null
}

/** Title of a field in a language (x-i18n.<lang>.title, else the Italian title, else its name). */
export function fieldLabel(def: FormDefinitionJson, path: FieldPath, lang: string): string {
  const node = nodeAt(def, path) ?? {}
  for (const n of [node, resolve(def, node)]) {
    const i18n = isObj(n['x-i18n']) ? n['x-i18n'] : {}
    const translated = isObj(i18n[lang]) ? (i18n[lang] as Obj).title : undefined
    if (lang !== 'it' && typeof translated === 'string') return translated
    if (typeof n.title === 'string') return n.title
  }
  return path[path.length - 1] ?? ''
}

export function isRequired(def: FormDefinitionJson, path: FieldPath): boolean {
  const at = locate(def, path)
  return !!at && Array.isArray(at.owner.required) && (at.owner.required as string[]).includes(at.key)
}

/**
 * The shared parts of the form an edit of this field changes (the `$defs` entries it sits in, and
 * the one its options come from), each with the top-level fields that use it: what else changes.
 */
export function sharedPartsOf(def: FormDefinitionJson, path: FieldPath): Array<{ name: string; usedBy: string[] }> {
  const at = locate(def, path)
  if (!at) return []
  const names = [...at.shared]
  const node = (at.owner.properties as Obj)[at.key] as Obj
  if (optionsText(def, path) !== null) names.push(...holder(def, node, (n) => Array.isArray(n.enum)).shared)
  return [...new Set(names)].map((name) => ({ name, usedBy: usersOf(def, name) }))
}

/** The top-level fields whose schema reaches a shared definition (through groups and references). */
function usersOf(def: FormDefinitionJson, name: string): string[] {
  const reaches = (node: unknown, seen: Set<string>, depth: number): boolean => {
    if (depth > 64) return false
    if (Array.isArray(node)) return node.some((n) => reaches(n, seen, depth + 1))
    if (!isObj(node)) return false
    const ref = defName(node.$ref)
    if (ref === name) return true
    if (ref && !seen.has(ref)) {
      seen.add(ref)
      if (reaches(defs(def)[ref], seen, depth + 1)) return true
    }
    return Object.entries(node).some(([k, v]) => k !== '$ref' && reaches(v, seen, depth + 1))
  }
  return Object.keys(def.schema.properties).filter((key) => reaches(def.schema.properties[key], new Set(), 0))
}

/** The options a new choice field lists: "value | it | en" lines. */
export function parseOptions(text: string): Array<{ value: string; it: string; en: string }> {
  return text
    .split('\n')
    .map((line) => line.split('|').map((s) => s.trim()))
    .filter((parts) => parts[0])
    .map(([value, it, en]) => ({ value, it: it || value, en: en || it || value }))
}

function nodeFor(def: FormDefinitionJson, field: NewField): { node: Obj; ui: Obj } {
  // The English title joins the English block the node may have (a choice's option labels).
  const titled = (node: Obj): Obj => {
    const i18n = isObj(node['x-i18n']) ? node['x-i18n'] : {}
    const en = isObj(i18n.en) ? i18n.en : {}
    return {
      ...node,
      'title': field.labelIt,
      'x-i18n': { ...i18n, en: { ...en, title: field.labelEn || field.labelIt } },
    }
  }
  const choices = () => {
    const options = parseOptions(field.options)
    return {
      'type': 'string',
      'enum': options.map((o) => o.value),
      'x-i18n': {
        it: { enum: Object.fromEntries(options.map((o) => [o.value, o.it])) },
        en: { enum: Object.fromEntries(options.map((o) => [o.value, o.en])) },
      },
    }
  }
  switch (field.kind) {
    case 'text':
      return { node: titled({ type: 'string', maxLength: 200 }), ui: {} }
    case 'textarea':
      return { node: titled({ type: 'string', maxLength: 1000 }), ui: { 'ui:widget': 'textarea' } }
    case 'number':
      return { node: titled({ type: 'number', minimum: 0, maximum: 999999 }), ui: {} }
    case 'currency':
      return { node: titled({ 'type': 'number', 'minimum': 0, 'maximum': 9999999.99, 'x-currency': 'EUR' }), ui: {} }
    case 'date': {
      const base: Obj =
        'common.date' in defs(def) ? { $ref: '#/$defs/common.date' } : { type: 'string', format: 'date', maxLength: 10 }
      return {
        node: titled({ ...base, 'x-date-range': { min: 'today-120y', max: 'today+5y' } }),
        ui: { 'ui:widget': 'date' },
      }
    }
    case 'yesno':
      return { node: titled({ type: 'boolean' }), ui: { 'ui:widget': 'radio' } }
    case 'checkbox':
      return { node: titled({ type: 'boolean' }), ui: {} }
    case 'radio':
      return { node: titled(choices()), ui: { 'ui:widget': 'radio' } }
    case 'select':
      return { node: titled(choices()), ui: {} }
    case 'email':
      return { node: titled({ type: 'string', format: 'email', maxLength: 254 }), ui: {} }
    case 'phone':
      return { node: titled({ type: 'string', pattern: PHONE_PATTERN, maxLength: 20 }), ui: {} }
    case 'codice_fiscale':
      return { node: titled({ type: 'string', format: 'codice-fiscale', maxLength: 16 }), ui: {} }
    case 'iban':
      return { node: titled({ type: 'string', format: 'iban', maxLength: 34 }), ui: {} }
    case 'catalog':
      return {
        node: titled({ type: 'string', minLength: 1, maxLength: 64 }),
        ui: { 'ui:options': { source: field.source || PLATFORM_SOURCES[0] } },
      }
    case 'static':
      return { node: { type: 'null', title: field.labelIt, description: field.labelIt }, ui: {} }
  }
}

/**
 * A field added at the end of a group (the form itself by default; `["siblings", "*"]` for the
 * items of a list): at the top level in the step named, inside a group after its other fields.
 */
export function addField(def: FormDefinitionJson, field: NewField, group: FieldPath = []): FormDefinitionJson {
  const next = clone(def)
  const owner = groupNode(next, group)
  if (!owner) return def
  const { node, ui } = nodeFor(next, field)
  owner.properties = { ...(isObj(owner.properties) ? owner.properties : {}), [field.key]: node }
  if (field.required && field.kind !== 'static') {
    owner.required = [...(Array.isArray(owner.required) ? (owner.required as string[]) : []), field.key]
  }
  const groupUi = uiAt(next.uiSchema, group, Object.keys(ui).length > 0) ?? {}
  if (Object.keys(ui).length) groupUi[field.key] = ui
  if (Array.isArray(groupUi['ui:order'])) groupUi['ui:order'] = [...(groupUi['ui:order'] as string[]), field.key]
  const steps = next.uiSchema['ui:steps']
  if (group.length === 0 && Array.isArray(steps) && steps.length) {
    const step = (steps as Array<{ id: string; fields: string[] }>).find((s) => s.id === field.step) ?? steps.at(-1)
    step.fields = [...step.fields, field.key]
  }
  return next
}

export function removeField(def: FormDefinitionJson, path: FieldPath): FormDefinitionJson {
  const next = clone(def)
  const at = locate(next, path)
  if (!at) return def
  delete (at.owner.properties as Obj)[at.key]
  if (Array.isArray(at.owner.required)) at.owner.required = (at.owner.required as string[]).filter((k) => k !== at.key)
  const groupUi = uiAt(next.uiSchema, path.slice(0, -1))
  if (groupUi) {
    delete groupUi[at.key]
    if (Array.isArray(groupUi['ui:order'])) {
      groupUi['ui:order'] = (groupUi['ui:order'] as string[]).filter((k) => k !== at.key)
    }
  }
  if (path.length === 1) {
    for (const step of (next.uiSchema['ui:steps'] ?? []) as Array<{ fields: string[] }>) {
      step.fields = step.fields.filter((k) => k !== at.key)
    }
  }
  return next
}

/** Moves a field one place up (-1) or down (+1) in its group's order (and, at the top, within its step). */
export function moveField(def: FormDefinitionJson, path: FieldPath, by: -1 | 1): FormDefinitionJson {
  const next = clone(def)
  const group = path.slice(0, -1)
  const key = path[path.length - 1]
  const swap = (list: string[]) => {
    const i = list.indexOf(key)
    const j = i + by
    if (i < 0 || j < 0 || j >= list.length) return list
    const copy = [...list]
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
    return copy
  }
  const groupUi = uiAt(next.uiSchema, group, true) as Obj
  const listed = Array.isArray(groupUi['ui:order']) ? (groupUi['ui:order'] as string[]) : fieldOrder(next, group)
  groupUi['ui:order'] = swap(listed)
  if (group.length === 0) {
    for (const step of (next.uiSchema['ui:steps'] ?? []) as Array<{ fields: string[] }>) step.fields = swap(step.fields)
  }
  return next
}

export function setLabel(
  def: FormDefinitionJson,
  path: FieldPath,
  lang: 'it' | 'en',
  text: string
): FormDefinitionJson {
  const next = clone(def)
  const node = nodeAt(next, path)
  if (!node) return def
  if (lang === 'it') node.title = text
  else {
    const i18n = isObj(node['x-i18n']) ? node['x-i18n'] : {}
    node['x-i18n'] = { ...i18n, en: { ...(isObj(i18n.en) ? (i18n.en as Obj) : {}), title: text } }
  }
  return next
}

export function setRequired(def: FormDefinitionJson, path: FieldPath, required: boolean): FormDefinitionJson {
  const next = clone(def)
  const at = locate(next, path)
  if (!at) return def
  const list = (Array.isArray(at.owner.required) ? (at.owner.required as string[]) : []).filter((k) => k !== at.key)
  at.owner.required = required ? [...list, at.key] : list
  return next
}

/** Fields that BLOCCO rules read or block: the builder marks them (shared/blocco_rule.ts). */
export function fieldsWithRules(def: FormDefinitionJson): Set<string> {
  return fieldsWithRulesOf(def)
}

/** The node that holds a choice field's `enum`: the field's own, or a shared definition's. */
function enumHolder(def: FormDefinitionJson, path: FieldPath): Obj | null {
  const node = nodeAt(def, path)
  if (!node || !['radio', 'select'].includes(kindOf(def, path))) return null
  const found = holder(def, node, (n) => Array.isArray(n.enum)).node
  return Array.isArray(found.enum) ? found : null
}

/**
 * A choice field's options as the designer edits them, one a line: "value | Italian label |
 * English label"; null when the field is not a choice. Options defined in a shared part of the form
 * are those of the shared part (see sharedPartsOf).
 */
export function optionsText(def: FormDefinitionJson, path: FieldPath): string | null {
  const node = enumHolder(def, path)
  if (!node) return null
  const i18n = isObj(node['x-i18n']) ? node['x-i18n'] : {}
  const labels = (lang: string) => {
    const block = isObj(i18n[lang]) ? (i18n[lang] as Obj) : {}
    return isObj(block.enum) ? (block.enum as Record<string, unknown>) : {}
  }
  const it = labels('it')
  const en = labels('en')
  return (node.enum as unknown[])
    .map((v) => {
      const value = String(v)
      const itLabel = typeof it[value] === 'string' ? (it[value] as string) : value
      const enLabel = typeof en[value] === 'string' ? (en[value] as string) : itLabel
      return `${value} | ${itLabel} | ${enLabel}`
    })
    .join('\n')
}

/**
 * The options of a choice field replaced by those of the text (see optionsText): the values, and
 * their labels in Italian and in English, where they are defined (in a shared part, for every field
 * using it). A value listed twice is kept once (the first line).
 */
export function setOptions(def: FormDefinitionJson, path: FieldPath, text: string): FormDefinitionJson {
  const next = clone(def)
  const node = enumHolder(next, path)
  if (!node) return def
  const seen = new Set<string>()
  const options = parseOptions(text).filter((o) => !seen.has(o.value) && seen.add(o.value))
  if (options.length === 0) return def
  node.enum = options.map((o) => o.value)
  const i18n = isObj(node['x-i18n']) ? node['x-i18n'] : {}
  const withEnum = (lang: 'it' | 'en') => ({
    ...(isObj(i18n[lang]) ? (i18n[lang] as Obj) : {}),
    enum: Object.fromEntries(options.map((o) => [o.value, o[lang]])),
  })
  node['x-i18n'] = { ...i18n, it: withEnum('it'), en: withEnum('en') }
  return next
}

/** The kinds a field can be turned into in the designer (a group, a list or a file stays what it is). */
export function canChangeKind(def: FormDefinitionJson, path: FieldPath): boolean {
  return (FIELD_KINDS as readonly string[]).includes(kindOf(def, path))
}

/**
 * A field turned into another kind: a new schema node of that kind with the field's labels, its
 * required-ness kept, its layout reset but for when it is shown (`visible_when`). A choice keeps the
 * options it had, or starts with one to rename.
 */
export function setKind(def: FormDefinitionJson, path: FieldPath, kind: FieldKind, source = ''): FormDefinitionJson {
  const at = locate(def, path)
  if (!at || !canChangeKind(def, path) || kindOf(def, path) === kind) return def
  const options = optionsText(def, path) ?? 'option_1 | Opzione 1 | Option 1'
  const built = nodeFor(def, {
    key: at.key,
    kind,
    labelIt: fieldLabel(def, path, 'it'),
    labelEn: fieldLabel(def, path, 'en'),
    required: false,
    options,
    source,
    step: '',
  })
  const next = clone(def)
  const owner = locate(next, path)?.owner as Obj
  const old = (owner.properties as Obj)[at.key] as Obj
  // A description the field had stays with it, in both languages.
  if (typeof old.description === 'string' && kind !== 'static') built.node.description = old.description
  const oldEn = isObj(old['x-i18n']) && isObj((old['x-i18n'] as Obj).en) ? ((old['x-i18n'] as Obj).en as Obj) : {}
  if (typeof oldEn.description === 'string' && isObj(built.node['x-i18n'])) {
    ;((built.node['x-i18n'] as Obj).en as Obj).description = oldEn.description
  }
  ;(owner.properties as Obj)[at.key] = built.node
  const groupUi = uiAt(next.uiSchema, path.slice(0, -1), true) as Obj
  const oldUi = isObj(groupUi[at.key]) ? (groupUi[at.key] as Obj) : {}
  const oldOptions = isObj(oldUi['ui:options']) ? (oldUi['ui:options'] as Obj) : {}
  const ui: Obj = { ...built.ui }
  if (oldOptions.visible_when !== undefined) {
    ui['ui:options'] = {
      ...(isObj(ui['ui:options']) ? (ui['ui:options'] as Obj) : {}),
      visible_when: oldOptions.visible_when,
    }
  }
  if (Object.keys(ui).length) groupUi[at.key] = ui
  else delete groupUi[at.key]
  return next
}

/** The limits a field's kind has: the length of a text, the bounds of a number. */
export type LimitName = 'minLength' | 'maxLength' | 'minimum' | 'maximum'

export function limitsOf(def: FormDefinitionJson, path: FieldPath): Partial<Record<LimitName, number | null>> {
  const kind = kindOf(def, path)
  const node = resolve(def, nodeAt(def, path) ?? {})
  const value = (name: LimitName) => (typeof node[name] === 'number' ? (node[name] as number) : null)
  if (kind === 'text' || kind === 'textarea') return { minLength: value('minLength'), maxLength: value('maxLength') }
  if (kind === 'number' || kind === 'currency') return { minimum: value('minimum'), maximum: value('maximum') }
  return {}
}

/**
 * What is wrong with a limit as typed, as a message key of the designer (null when it can be set):
 * a whole number of characters from 0 (a text always keeps a maximum: the forms' rule), a number
 * for a bound, a minimum not above the maximum.
 */
export function limitProblem(
  def: FormDefinitionJson,
  path: FieldPath,
  name: LimitName,
  value: number | null
): 'limitNeeded' | 'limitWhole' | 'limitNumber' | 'limitOrder' | null {
  if (value === null) return name === 'maxLength' ? 'limitNeeded' : null
  if (!Number.isFinite(value)) return 'limitNumber'
  if ((name === 'minLength' || name === 'maxLength') && (!Number.isInteger(value) || value < 0)) return 'limitWhole'
  const limits = { ...limitsOf(def, path), [name]: value }
  const [low, high] = name === 'minLength' || name === 'maxLength' ? ['minLength', 'maxLength'] : ['minimum', 'maximum']
  const a = limits[low as LimitName]
  const b = limits[high as LimitName]
  if (typeof a === 'number' && typeof b === 'number' && a > b) return 'limitOrder'
  return null
}

/**
 * A field's limit set (a number) or taken away (null), for this field only: a field that takes its
 * checks from a shared definition with a limit of that name gets the definition's keywords copied
 * into itself first (JSON Schema applies both a `$ref` and its siblings, so a limit beside the
 * reference could only narrow it).
 */
export function setLimit(
  def: FormDefinitionJson,
  path: FieldPath,
  name: LimitName,
  value: number | null
): FormDefinitionJson {
  if (!(name in limitsOf(def, path)) || limitProblem(def, path, name, value)) return def
  const next = clone(def)
  const at = locate(next, path) as Located
  const properties = at.owner.properties as Obj
  let node = properties[at.key] as Obj
  if (typeof node.$ref === 'string' && typeof resolve(next, node)[name] === 'number') {
    node = clone(resolve(next, node))
    properties[at.key] = node
  }
  if (value === null) delete node[name]
  else node[name] = value
  return next
}
