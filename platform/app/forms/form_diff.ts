/**
 * Two versions of a form side by side: the fields added, removed and changed (by the JSON Pointer
 * of the data they hold, with what changed in each), the BLOCCO rules added, removed and changed,
 * and the other parts of the form that differ. Linear in the size of the two forms.
 */
import { deref, isPlainObject, joinPointer } from '#forms/json_pointer'
import { jsonEqual } from '#forms/formio_converter'
import type { JsonSchema } from '#forms/types'

type Obj = { [key: string]: unknown }

export interface FieldEntry {
  /** Pointer of the data ("/siblings/*\/school_name": "*" for every item of a list). */
  path: string
  title: { it?: string; en?: string }
}

export interface FieldChange extends FieldEntry {
  /** What changed: schema keywords, "required", and uiSchema entries ("ui:widget", "ui:options"). */
  changes: Array<{ what: string; before: unknown; after: unknown }>
}

export interface RuleChange {
  id: string
  changes: Array<{ what: string; before: unknown; after: unknown }>
}

export interface FormDiff {
  fields: { added: FieldEntry[]; removed: FieldEntry[]; changed: FieldChange[] }
  rules: { added: string[]; removed: string[]; changed: RuleChange[] }
  /** Other parts of the form that differ: "title", "attachments", "tariff_preview", "ui:steps", … */
  other: string[]
}

interface Flat {
  node: Obj
  ui: Obj
  required: boolean
}

/** Every field of a form by its data pointer: its own keywords (children aside), layout and required-ness. */
function flatten(schema: Obj, ui: Obj): Map<string, Flat> {
  const out = new Map<string, Flat>()
  const visit = (node: Obj, nodeUi: Obj, base: string, depth: number) => {
    if (depth > 16) return
    const resolved = deref(schema as JsonSchema, node as JsonSchema)
    if (!isPlainObject(resolved)) return
    const properties = isPlainObject(resolved.properties) ? resolved.properties : null
    const required = Array.isArray(resolved.required) ? (resolved.required as string[]) : []
    if (properties) {
      for (const [key, child] of Object.entries(properties)) {
        if (!isPlainObject(child)) continue
        const path = joinPointer(base, key)
        const childUi = isPlainObject(nodeUi[key]) ? (nodeUi[key] as Obj) : {}
        out.set(path, {
          node: { ...(deref(schema as JsonSchema, child as JsonSchema) as Obj), ...child },
          ui: childUi,
          required: required.includes(key),
        })
        visit(child, childUi, path, depth + 1)
      }
    }
    if (isPlainObject(resolved.items)) {
      const itemsUi = isPlainObject(nodeUi.items) ? (nodeUi.items as Obj) : {}
      visit(resolved.items, itemsUi, `${base}/*`, depth + 1)
    }
  }
  visit(schema, ui, '', 0)
  return out
}

function title(node: Obj): FieldEntry['title'] {
  const i18n = isPlainObject(node['x-i18n']) ? node['x-i18n'] : {}
  const en = isPlainObject(i18n.en) && typeof i18n.en.title === 'string' ? i18n.en.title : undefined
  return { it: typeof node.title === 'string' ? node.title : undefined, en }
}

const STRUCTURAL = new Set(['properties', 'items', 'required', '$ref', '$defs'])

function changesOf(a: Obj, b: Obj, skip: Set<string>, prefix = '') {
  const changes: Array<{ what: string; before: unknown; after: unknown }> = []
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (skip.has(key)) continue
    if (!jsonEqual(a[key], b[key])) changes.push({ what: `${prefix}${key}`, before: a[key], after: b[key] })
  }
  return changes
}

export function diffForms(before: Obj, after: Obj): FormDiff {
  const schemaA = isPlainObject(before.schema) ? before.schema : {}
  const schemaB = isPlainObject(after.schema) ? after.schema : {}
  const uiA = isPlainObject(before.uiSchema) ? before.uiSchema : {}
  const uiB = isPlainObject(after.uiSchema) ? after.uiSchema : {}
  const a = flatten(schemaA, uiA)
  const b = flatten(schemaB, uiB)
  const diff: FormDiff = {
    fields: { added: [], removed: [], changed: [] },
    rules: { added: [], removed: [], changed: [] },
    other: [],
  }
  for (const [path, field] of b) if (!a.has(path)) diff.fields.added.push({ path, title: title(field.node) })
  for (const [path, field] of a) {
    const other = b.get(path)
    if (!other) {
      diff.fields.removed.push({ path, title: title(field.node) })
      continue
    }
    const changes = changesOf(field.node, other.node, STRUCTURAL)
    if (field.required !== other.required)
      changes.push({ what: 'required', before: field.required, after: other.required })
    const ownUi = (ui: Obj) => Object.fromEntries(Object.entries(ui).filter(([k]) => k.startsWith('ui:')))
    changes.push(...changesOf(ownUi(field.ui), ownUi(other.ui), new Set()))
    if (changes.length) diff.fields.changed.push({ path, title: title(other.node), changes })
  }
  const rulesOf = (form: Obj) =>
    new Map(
      (Array.isArray(form.blocchi) ? form.blocchi : [])
        .filter((r): r is Obj => isPlainObject(r) && typeof r.id === 'string')
        .map((r) => [r.id as string, r])
    )
  const ra = rulesOf(before)
  const rb = rulesOf(after)
  for (const id of rb.keys()) if (!ra.has(id)) diff.rules.added.push(id)
  for (const [id, rule] of ra) {
    const other = rb.get(id)
    if (!other) diff.rules.removed.push(id)
    else {
      const changes = changesOf(rule, other, new Set(['id']))
      if (changes.length) diff.rules.changed.push({ id, changes })
    }
  }
  for (const part of ['title', 'reference', 'conditions', 'attachments', 'tariff_preview', 'x-duplicates', 'sample']) {
    if (!jsonEqual(before[part], after[part])) diff.other.push(part)
  }
  for (const key of ['ui:steps', 'ui:order']) if (!jsonEqual(uiA[key], uiB[key])) diff.other.push(key)
  return diff
}
