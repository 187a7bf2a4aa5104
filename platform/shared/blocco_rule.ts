/**
 * What the BLOCCO rule editor needs besides the condition editor (condition_model.ts): the fields
 * of a form a rule can block, named by JSON Pointer, and what is wrong with a rule before it is
 * saved, as the server would refuse it or as it would fail to block.
 *
 * Browser-safe: no Node API.
 */
import { compileCondition, type Condition } from './conditions.js'
import { fieldKey, type FieldOption, type Lang } from './condition_model.js'
import type { Blocco, FormDefinition } from '#forms/types'
import { schemaAt } from '#forms/json_pointer'

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1')

/**
 * The JSON Pointer of the data a field of the condition editor reads ("/siblings/0/school_name"
 * for `siblings` + `$[0].school_name`), or null when it is not a field of the data (a list's
 * `.length`).
 */
export function fieldPointer(field: Pick<FieldOption, 'fact' | 'path'>): string | null {
  let pointer = `/${escape(field.fact)}`
  const path = field.path ?? ''
  let i = path.startsWith('$') ? 1 : 0
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[A-Za-z_$][\w$-]*/.exec(path.slice(i + 1))
      if (!m) return null
      if (m[0] === 'length') return null
      pointer += `/${escape(m[0])}`
      i += 1 + m[0].length
    } else if (path[i] === '[') {
      const close = path.indexOf(']', i)
      if (close < 0) return null
      const inner = path.slice(i + 1, close).replace(/^['"]|['"]$/g, '')
      pointer += `/${escape(inner)}`
      i = close + 1
    } else {
      return null
    }
  }
  return pointer
}

/** The fields a rule can block, each once, with its label: every field of the data but counts. */
export function blockableFields(
  fields: readonly FieldOption[]
): Array<{ pointer: string; label: Record<Lang, string> }> {
  const seen = new Set<string>()
  const out: Array<{ pointer: string; label: Record<Lang, string> }> = []
  for (const field of fields) {
    const pointer = fieldPointer(field)
    if (pointer === null || seen.has(pointer)) continue
    seen.add(pointer)
    out.push({ pointer, label: field.label })
  }
  return out
}

export type BloccoProblem =
  | { key: 'id' }
  | { key: 'idTaken' }
  | { key: 'condition'; detail: string }
  | { key: 'paths' }
  | { key: 'pathUnknown'; detail: string }
  | { key: 'messageIt' }
  | { key: 'messageEn' }
  | { key: 'reference' }
  | { key: 'description' }

/** As the server's check of a draft (app/forms/definition_check.ts) wants it. */
const ID = /^[a-z][a-z0-9_]{0,63}$/

/**
 * What keeps a rule from being saved: an id that is not one (or already used by another rule of
 * the form), a condition the engine cannot compile (with the form's named conditions), no blocked
 * field or one the form does not have, a message missing in a language, no tender reference, a
 * description (optional) written in one language only.
 */
export function bloccoProblems(
  rule: Blocco,
  form: Pick<FormDefinition, 'schema' | 'conditions'>,
  otherIds: readonly string[] = []
): BloccoProblem[] {
  const out: BloccoProblem[] = []
  if (typeof rule.id !== 'string' || !ID.test(rule.id)) out.push({ key: 'id' })
  else if (otherIds.includes(rule.id)) out.push({ key: 'idTaken' })
  try {
    compileCondition(rule.condition as Condition, form.conditions ?? {})
  } catch (error) {
    out.push({ key: 'condition', detail: (error as Error).message })
  }
  if (!Array.isArray(rule.paths) || rule.paths.length === 0) out.push({ key: 'paths' })
  else {
    for (const path of rule.paths) {
      if (path !== '' && (typeof path !== 'string' || schemaAt(form.schema, path) === undefined)) {
        out.push({ key: 'pathUnknown', detail: String(path) })
      }
    }
  }
  if (!rule.message?.it?.trim()) out.push({ key: 'messageIt' })
  if (!rule.message?.en?.trim()) out.push({ key: 'messageEn' })
  if (typeof rule.reference !== 'string' || rule.reference.trim().length === 0) out.push({ key: 'reference' })
  if (rule.description !== undefined && (!rule.description.it?.trim() || !rule.description.en?.trim())) {
    out.push({ key: 'description' })
  }
  return out
}

/** The fields (fact and path) the rule's condition reads, for the builder to mark. */
export function fieldsRead(condition: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(condition)) {
    for (const c of condition) fieldsRead(c, out)
    return out
  }
  if (typeof condition !== 'object' || condition === null) return out
  const node = condition as Record<string, unknown>
  if (Array.isArray(node.all)) fieldsRead(node.all, out)
  else if (Array.isArray(node.any)) fieldsRead(node.any, out)
  else if ('not' in node) fieldsRead(node.not, out)
  else if (typeof node.fact === 'string') {
    out.add(fieldKey(node.fact, typeof node.path === 'string' ? node.path : undefined))
    const value = node.value as Record<string, unknown> | null
    if (value && typeof value === 'object' && typeof value.fact === 'string') {
      out.add(fieldKey(value.fact, typeof value.path === 'string' ? value.path : undefined))
    }
  }
  return out
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * A JSON Pointer into the data as the builder names a field ("siblings/*\/school_name" for
 * "/siblings/0/school_name": an item's number stands for every item), with the groups it sits in
 * ("siblings", "siblings/*"), each added to the set.
 */
function addPointer(out: Set<string>, pointer: string): void {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => (/^(\d+|-)$/.test(s) ? '*' : s.replace(/~1/g, '/').replace(/~0/g, '~')))
  for (let i = 1; i <= segments.length && i <= 32; i++) {
    if (segments[i - 1] !== '') out.add(segments.slice(0, i).join('/'))
  }
}

/**
 * The fields of a form that its BLOCCO rules read or block, for the builder to mark, each by its
 * path in the data as the builder names it (the top-level key, "domicile/city" inside a group,
 * "siblings/*\/school_name" inside the items of a list; the groups on the way are marked too): a
 * condition reads the fields it compares, those it compares them with and those of the named
 * conditions it uses (each followed once: a loop among them is the draft check's to report).
 */
export function fieldsWithRules(form: { blocchi?: unknown; conditions?: unknown }): Set<string> {
  const out = new Set<string>()
  const named = isObj(form.conditions) ? form.conditions : {}
  const followed = new Set<string>()
  const walk = (c: unknown): void => {
    if (Array.isArray(c)) return c.forEach(walk)
    if (!isObj(c)) return
    const read = (f: Record<string, unknown>) => {
      if (typeof f.fact !== 'string') return
      out.add(f.fact)
      const pointer = fieldPointer({ fact: f.fact, path: typeof f.path === 'string' ? f.path : undefined })
      if (pointer) addPointer(out, pointer)
    }
    read(c)
    if (isObj(c.value)) read(c.value)
    for (const k of ['all', 'any']) if (Array.isArray(c[k])) (c[k] as unknown[]).forEach(walk)
    if (c.not) walk(c.not)
    if (typeof c.condition === 'string' && !followed.has(c.condition)) {
      followed.add(c.condition)
      walk(named[c.condition])
    }
  }
  for (const rule of Array.isArray(form.blocchi) ? form.blocchi : []) {
    if (!isObj(rule)) continue
    walk(rule.condition)
    for (const p of Array.isArray(rule.paths) ? rule.paths : []) {
      if (typeof p === 'string') addPointer(out, p)
    }
  }
  return out
}

/** The answer of POST /forms/:id/blocchi/try. */
export interface BloccoTryResult {
  form: string
  version: number | null
  /** The day the version tried starts (null: from the start, or the draft). */
  valid_from?: string | null
  draft: boolean
  fired: number
  rules: Array<{ id: string; paths: string[]; fires: boolean; unevaluable: boolean; message: string }>
  fields: Array<{ path: string; rules: Array<{ rule: string; message: string }> }>
}

export interface TryRow {
  pointer: string
  label: Record<Lang, string>
  /** Not a field of the form (a rule blocks a path the form does not have). */
  unknown: boolean
  rules: Array<{ rule: string; message: string; unevaluable: boolean }>
}

/**
 * The result of a try, field by field in the order of the form (fields no rule blocks left out;
 * paths the form does not have last, as they came), and the rules that did not fire.
 */
export function tryRows(result: BloccoTryResult, fields: readonly FieldOption[]): { rows: TryRow[]; quiet: string[] } {
  const order = blockableFields(fields)
  const position = new Map(order.map((f, i) => [f.pointer, i]))
  const unevaluable = new Set(result.rules.filter((r) => r.unevaluable).map((r) => r.id))
  const rows = result.fields.map((f) => {
    const known = order[position.get(f.path) ?? -1]
    return {
      pointer: f.path,
      label: known?.label ?? { it: f.path, en: f.path },
      unknown: !known,
      rules: f.rules.map((r) => ({ ...r, unevaluable: unevaluable.has(r.rule) })),
    }
  })
  const rank = (row: TryRow) => position.get(row.pointer) ?? Number.MAX_SAFE_INTEGER
  rows.sort((a, b) => rank(a) - rank(b))
  return { rows, quiet: result.rules.filter((r) => !r.fires).map((r) => r.id) }
}
