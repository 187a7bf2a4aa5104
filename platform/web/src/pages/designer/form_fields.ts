/**
 * The designer's edits of a canonical form (forms/README.md), on its top-level fields: add a field
 * of a kind, move it, remove it, change its labels (it, en) and whether it is required. Every edit
 * returns a new definition; BLOCCO rules are left as they are (the condition editor owns them).
 */
import { fieldsWithRules as fieldsWithRulesOf } from '#shared/blocco_rule'
import type { FormDefinitionJson } from '../../api/form_designer_queries'

type Obj = Record<string, unknown>

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

function order(def: FormDefinitionJson): string[] {
  const listed = def.uiSchema['ui:order']
  const keys = Object.keys(def.schema.properties)
  if (Array.isArray(listed)) return (listed as string[]).filter((k) => keys.includes(k) || k === '*')
  return keys
}

/** The top-level fields in the order the citizen sees them. */
export function fieldOrder(def: FormDefinitionJson): string[] {
  return order(def).filter((k) => k !== '*')
}

function resolve(def: FormDefinitionJson, node: Obj): Obj {
  let current = node
  for (let i = 0; i < 8 && typeof current.$ref === 'string'; i++) {
    const name = (current.$ref as string).replace(/^#\/\$defs\//, '')
    const target = ((def.schema.$defs ?? {}) as Record<string, Obj>)[name]
    if (!target) return current
    const { $ref: _ref, ...local } = current
    current = { ...target, ...local }
  }
  return current
}

/** The kind a field shows as in the list (what the builder would call its component). */
export function kindOf(def: FormDefinitionJson, key: string): string {
  const node = resolve(def, def.schema.properties[key] ?? {})
  const ui = (def.uiSchema[key] ?? {}) as Obj
  const options = (ui['ui:options'] ?? {}) as Obj
  if (node.type === 'null') return 'static'
  if (ui['ui:field'] === 'attachment') return 'file'
  if (node.type === 'array') return isObj(node.items) && (node.items as Obj).type === 'object' ? 'group_list' : 'list'
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

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Title of a field in a language (x-i18n.<lang>.title, else the Italian title, else its name). */
export function fieldLabel(def: FormDefinitionJson, key: string, lang: string): string {
  const node = def.schema.properties[key] ?? {}
  for (const n of [node, resolve(def, node)]) {
    const i18n = isObj(n['x-i18n']) ? n['x-i18n'] : {}
    const translated = isObj(i18n[lang]) ? (i18n[lang] as Obj).title : undefined
    if (lang !== 'it' && typeof translated === 'string') return translated
    if (typeof n.title === 'string') return n.title
  }
  return key
}

export function isRequired(def: FormDefinitionJson, key: string): boolean {
  return (def.schema.required ?? []).includes(key)
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
  const titled = (node: Obj): Obj => ({
    ...node,
    'title': field.labelIt,
    'x-i18n': { ...(isObj(node['x-i18n']) ? node['x-i18n'] : {}), en: { title: field.labelEn || field.labelIt } },
  })
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
      const hasDef = isObj(def.schema.$defs) && 'common.date' in (def.schema.$defs as Obj)
      const base: Obj = hasDef ? { $ref: '#/$defs/common.date' } : { type: 'string', format: 'date', maxLength: 10 }
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

export function addField(def: FormDefinitionJson, field: NewField): FormDefinitionJson {
  const next = clone(def)
  const { node, ui } = nodeFor(def, field)
  next.schema.properties[field.key] = node
  if (field.required && field.kind !== 'static') next.schema.required = [...(next.schema.required ?? []), field.key]
  if (Object.keys(ui).length) next.uiSchema[field.key] = ui
  if (Array.isArray(next.uiSchema['ui:order']))
    next.uiSchema['ui:order'] = [...(next.uiSchema['ui:order'] as string[]), field.key]
  const steps = next.uiSchema['ui:steps']
  if (Array.isArray(steps) && steps.length) {
    const step = (steps as Array<{ id: string; fields: string[] }>).find((s) => s.id === field.step) ?? steps.at(-1)
    step.fields = [...step.fields, field.key]
  }
  return next
}

export function removeField(def: FormDefinitionJson, key: string): FormDefinitionJson {
  const next = clone(def)
  delete next.schema.properties[key]
  if (next.schema.required) next.schema.required = next.schema.required.filter((k) => k !== key)
  delete next.uiSchema[key]
  if (Array.isArray(next.uiSchema['ui:order'])) {
    next.uiSchema['ui:order'] = (next.uiSchema['ui:order'] as string[]).filter((k) => k !== key)
  }
  for (const step of (next.uiSchema['ui:steps'] ?? []) as Array<{ fields: string[] }>) {
    step.fields = step.fields.filter((k) => k !== key)
  }
  return next
}

/** Moves a field one place up (-1) or down (+1), in the order and within its step. */
export function moveField(def: FormDefinitionJson, key: string, by: -1 | 1): FormDefinitionJson {
  const next = clone(def)
  const swap = (list: string[]) => {
    const i = list.indexOf(key)
    const j = i + by
    if (i < 0 || j < 0 || j >= list.length) return list
    const copy = [...list]
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
    return copy
  }
  const listed = Array.isArray(next.uiSchema['ui:order']) ? (next.uiSchema['ui:order'] as string[]) : fieldOrder(next)
  next.uiSchema['ui:order'] = swap(listed)
  for (const step of (next.uiSchema['ui:steps'] ?? []) as Array<{ fields: string[] }>) step.fields = swap(step.fields)
  return next
}

export function setLabel(def: FormDefinitionJson, key: string, lang: 'it' | 'en', text: string): FormDefinitionJson {
  const next = clone(def)
  const node = next.schema.properties[key]
  if (lang === 'it') node.title = text
  else {
    const i18n = isObj(node['x-i18n']) ? node['x-i18n'] : {}
    node['x-i18n'] = { ...i18n, en: { ...(isObj(i18n.en) ? (i18n.en as Obj) : {}), title: text } }
  }
  return next
}

export function setRequired(def: FormDefinitionJson, key: string, required: boolean): FormDefinitionJson {
  const next = clone(def)
  const list = (next.schema.required ?? []).filter((k) => k !== key)
  next.schema.required = required ? [...list, key] : list
  return next
}

/** Fields that BLOCCO rules read or block: the builder marks them (shared/blocco_rule.ts). */
export function fieldsWithRules(def: FormDefinitionJson): Set<string> {
  return fieldsWithRulesOf(def)
}

/**
 * A choice field's options as the designer edits them, one a line: "value | Italian label |
 * English label"; null when the field is not a choice or its options come from a shared part of
 * the form (a `$ref`), which is edited in the form files.
 */
export function optionsText(def: FormDefinitionJson, key: string): string | null {
  const node = def.schema.properties[key]
  if (!node || !Array.isArray(node.enum) || !['radio', 'select'].includes(kindOf(def, key))) return null
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
 * their labels in Italian and in English. A value listed twice is kept once (the first line).
 */
export function setOptions(def: FormDefinitionJson, key: string, text: string): FormDefinitionJson {
  const next = clone(def)
  const node = next.schema.properties[key]
  const seen = new Set<string>()
  const options = parseOptions(text).filter((o) => !seen.has(o.value) && seen.add(o.value))
  node.enum = options.map((o) => o.value)
  const i18n = isObj(node['x-i18n']) ? node['x-i18n'] : {}
  const withEnum = (lang: 'it' | 'en') => ({
    ...(isObj(i18n[lang]) ? (i18n[lang] as Obj) : {}),
    enum: Object.fromEntries(options.map((o) => [o.value, o[lang]])),
  })
  node['x-i18n'] = { ...i18n, it: withEnum('it'), en: withEnum('en') }
  return next
}
