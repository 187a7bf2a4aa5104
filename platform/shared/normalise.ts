/**
 * What a person types the way they are used to and the form stores in one canonical way: a codice
 * fiscale written in lower case ("rssmra85t10a562s") is the same code as in capitals; an IBAN copied
 * with its spaces ("IT60 X054 2811 1010 0000 0123 456") is the same IBAN without them. The server
 * applies this before it validates and stores a submission, and the portal before it shows and
 * sends the data, so both read the same value. Browser-safe: no imports.
 *
 * Guided by the schema (`format` of each field): only strings whose schema says `codice-fiscale` or
 * `iban` are touched, wherever they are (nested objects, lists, `$ref`s to `$defs`, conditional
 * branches). The walk follows the schema, so its depth is the schema's, whatever the data.
 */

type Json = { [key: string]: unknown }

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Upper case, without the spaces around it (a codice fiscale has none inside). */
export function normaliseCodiceFiscale(value: string): string {
  return value.trim().toUpperCase()
}

/** Upper case, without any space: IBANs are printed in groups of four. */
export function normaliseIban(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase()
}

const BY_FORMAT: Record<string, (value: string) => string> = {
  'codice-fiscale': normaliseCodiceFiscale,
  'iban': normaliseIban,
}

/** Branches whose `properties` or `items` may describe the same data. */
const BRANCHES = ['allOf', 'anyOf', 'oneOf'] as const
const CONDITIONAL = ['then', 'else'] as const

/** A schema's `$ref` to its own `$defs`, followed (a loop stops at the first repetition). */
function resolved(root: Json, node: unknown, seen: Set<unknown>): Json[] {
  const out: Json[] = []
  let current = node
  while (isObject(current) && !seen.has(current)) {
    seen.add(current)
    out.push(current)
    const ref = current.$ref
    if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) break
    const defs = isObject(root.$defs) ? root.$defs : {}
    current = defs[ref.slice('#/$defs/'.length)]
  }
  return out
}

/**
 * What the walk works out from the schema alone, kept per schema object: the nodes that apply to a
 * value, and those that apply to a property or an item of it. A form's schema is built once and not
 * changed (an edit makes a new version), so each submission after the first only walks its data.
 * Bounded by the schema: a property the schema does not name (any key a client may send) applies no
 * node and is not kept.
 */
const applying = new WeakMap<Json, WeakMap<Json, Json[]>>()
const below = new WeakMap<Json[], Map<string, Json[]>>()

function applicableKept(root: Json, node: unknown): Json[] {
  if (!isObject(node)) return applicable(root, node)
  let forRoot = applying.get(root)
  if (!forRoot) applying.set(root, (forRoot = new WeakMap()))
  let nodes = forRoot.get(node)
  if (!nodes) forRoot.set(node, (nodes = applicable(root, node)))
  return nodes
}

/** The nodes that apply to the property `key` of a value (`[]` for an item of a list). */
function nodesBelow(root: Json, nodes: Json[], key: string, item: boolean): Json[] {
  const id = item ? '[]' : `.${key}`
  const kept = below.get(nodes)?.get(id)
  if (kept) return kept
  const found = item
    ? nodes.flatMap((n) => (n.items === undefined ? [] : applicable(root, n.items)))
    : nodes.flatMap((n) =>
        isObject(n.properties) && Object.hasOwn(n.properties, key) ? applicable(root, n.properties[key]) : []
      )
  if (found.length > 0) {
    let byKey = below.get(nodes)
    if (!byKey) below.set(nodes, (byKey = new Map()))
    byKey.set(id, found)
  }
  return found
}

/** Every schema node that applies to the same value: itself, its $ref target, its branches. */
function applicable(root: Json, node: unknown, depth = 0): Json[] {
  if (depth > 16) return []
  const out: Json[] = []
  for (const n of resolved(root, node, new Set())) {
    out.push(n)
    for (const key of BRANCHES) {
      const list = n[key]
      if (Array.isArray(list)) for (const sub of list) out.push(...applicable(root, sub, depth + 1))
    }
    for (const key of CONDITIONAL) if (n[key] !== undefined) out.push(...applicable(root, n[key], depth + 1))
  }
  return out
}

function normaliseAt(root: Json, nodes: Json[], value: unknown, depth: number): unknown {
  if (depth > 32 || nodes.length === 0) return value
  if (typeof value === 'string') {
    for (const n of nodes) {
      const fix = typeof n.format === 'string' && Object.hasOwn(BY_FORMAT, n.format) ? BY_FORMAT[n.format] : null
      if (fix) return fix(value)
    }
    return value
  }
  if (Array.isArray(value)) {
    const items = nodesBelow(root, nodes, '', true)
    if (items.length === 0) return value
    let changed = false
    const out = value.map((item) => {
      const next = normaliseAt(root, items, item, depth + 1)
      if (next !== item) changed = true
      return next
    })
    return changed ? out : value
  }
  if (isObject(value)) {
    let out: Json | null = null
    for (const [key, item] of Object.entries(value)) {
      const props = nodesBelow(root, nodes, key, false)
      const next = normaliseAt(root, props, item, depth + 1)
      if (next !== item) {
        out ??= { ...value }
        Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true })
      }
    }
    return out ?? value
  }
  return value
}

/**
 * The data with every codice fiscale and IBAN field in its canonical form. Returns the same object
 * when nothing changes; never modifies its input.
 */
export function normaliseFormData<T>(schema: unknown, data: T): T {
  if (!isObject(schema)) return data
  return normaliseAt(schema, applicableKept(schema, schema), data, 0) as T
}
