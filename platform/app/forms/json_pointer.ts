/**
 * JSON Pointer (RFC 6901) helpers over form data and over form schemas. Browser-safe.
 */
import type { JsonSchema } from '#forms/types'

type Obj = { [key: string]: unknown }

export function isPlainObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The segments of a pointer. A sending looks up the same few dozen pointers of its form (attachments,
 * BLOCCO paths, catalog fields) again and again: they are kept, a bounded number of them, and the
 * arrays handed out are frozen so that no caller can change another's.
 */
const MAX_KEPT_POINTERS = 2000
const parsed = new Map<string, readonly string[]>()
export function parsePointer(pointer: string): readonly string[] {
  const known = parsed.get(pointer)
  if (known) return known
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON Pointer: it must start with "/".`)
  const segments = Object.freeze(
    pointer
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  )
  if (parsed.size >= MAX_KEPT_POINTERS) parsed.clear()
  parsed.set(pointer, segments)
  return segments
}

export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}

export function joinPointer(base: string, segment: string | number): string {
  return `${base}/${escapeSegment(String(segment))}`
}

/** Value at pointer, or undefined when any step is missing. Own properties only. */
export function getAt(data: unknown, pointer: string): unknown {
  let current: unknown = data
  for (const seg of parsePointer(pointer)) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(seg)) return undefined
      current = current[Number(seg)]
    } else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, seg)) {
      current = current[seg]
    } else {
      return undefined
    }
  }
  return current
}

/** Follows local `$ref`s ("#/$defs/x") of a self-contained schema. */
export function deref(root: JsonSchema, node: JsonSchema | undefined): JsonSchema | undefined {
  let current = node
  for (let hops = 0; hops < 32 && isPlainObject(current) && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref
    if (!ref.startsWith('#')) return current
    const target = getAt(root, ref.slice(1))
    if (target === undefined) return undefined
    current = target as JsonSchema
  }
  return current
}

/**
 * The schema node describing the data at `pointer` (before following its own `$ref`, so that the
 * title written next to a `$ref` is kept), or undefined when the schema has no such field.
 * Array indexes (and "*") step into `items`.
 */
export function schemaAt(root: JsonSchema, pointer: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = root
  for (const seg of parsePointer(pointer)) {
    const resolved = deref(root, node)
    if (!isPlainObject(resolved)) return undefined
    const properties = resolved.properties
    if (isPlainObject(properties) && Object.prototype.hasOwnProperty.call(properties, seg)) {
      node = properties[seg] as JsonSchema
    } else if (resolved.items !== undefined && (seg === '*' || /^(0|[1-9][0-9]*)$/.test(seg))) {
      node = resolved.items as JsonSchema
    } else {
      return undefined
    }
  }
  return node
}

/** Title of the field at pointer in the given language (x-i18n.<lang>.title, else title). */
export function labelAt(root: JsonSchema, pointer: string, lang: string): string | undefined {
  const node = schemaAt(root, pointer)
  for (const candidate of [node, deref(root, node)]) {
    if (!isPlainObject(candidate)) continue
    const i18n = candidate['x-i18n']
    const translated = isPlainObject(i18n) && isPlainObject(i18n[lang]) ? i18n[lang].title : undefined
    if (typeof translated === 'string') return translated
    if (typeof candidate.title === 'string') return candidate.title
  }
  return undefined
}
