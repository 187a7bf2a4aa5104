/**
 * The working storage of one evaluation: an array with one slot per name (facts first, then the
 * variables the steps set), so that every read and write of the pipeline is an array access whose
 * speed does not depend on the shape of the objects callers send.
 *
 * Facts reach the slots through `SlotReader`: for the facts schemas rule sets use (an object of
 * properties with type, enum, const, bounds, pattern and default), a function generated from the
 * schema says yes or no and fills the slots, without building an error list; it must accept
 * exactly what Ajv accepts and fill the same defaults (a property-based test holds the two
 * together on every rule set). A schema with anything else is checked by Ajv alone. Either way,
 * a refusal is explained by Ajv.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js'
import { validateFacts } from './facts_schema.js'
import type { FactError } from './types.js'

export type Slots = unknown[]

export type SlotCheck = { ok: true; slots: Slots } | { ok: false; errors: FactError[] }

type Fill = (facts: Record<string, unknown>, slots: Slots) => boolean

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key)

/** Keywords that only annotate a schema and never change what it accepts. */
const ANNOTATIONS = new Set(['description', 'title', '$comment', 'examples', 'deprecated', 'readOnly', 'writeOnly'])
const PROPERTY_KEYWORDS = new Set([
  ...ANNOTATIONS,
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'pattern',
  'default',
])
const OBJECT_KEYWORDS = new Set([...ANNOTATIONS, '$schema', 'type', 'properties', 'required', 'additionalProperties'])

type Primitive = string | number | boolean | null
const isPrimitive = (value: unknown): value is Primitive =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'

/** The JSON Schema types as Ajv checks them with strict numbers (no NaN, no Infinity), on `v`. */
const TYPE_TESTS: Record<string, string> = {
  null: 'v === null',
  boolean: "typeof v === 'boolean'",
  string: "typeof v === 'string'",
  number: "(typeof v === 'number' && Number.isFinite(v))",
  integer: 'Number.isInteger(v)',
  object: "(typeof v === 'object' && v !== null && !Array.isArray(v))",
  array: 'Array.isArray(v)',
}

const BOUNDS: Record<string, string> = { minimum: '<', maximum: '>', exclusiveMinimum: '<=', exclusiveMaximum: '>=' }

/**
 * Writes the check of one property as statements on `v` that return false when it fails, or
 * returns null when the schema uses a keyword this reader leaves to Ajv. Constants go to `K`.
 */
function propertyCode(schema: unknown, K: unknown[]): { code: string; fallback: Primitive | undefined } | null {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return null
  const s = schema as Record<string, unknown>
  for (const key of Object.keys(s)) if (!PROPERTY_KEYWORDS.has(key)) return null
  const constant = (value: unknown) => `K[${K.push(value) - 1}]`
  const lines: string[] = []
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type]
    const tests = types.map((t) => (typeof t === 'string' && hasOwn(TYPE_TESTS, t) ? TYPE_TESTS[t] : null))
    if (tests.length === 0 || tests.includes(null)) return null
    lines.push(`if (!(${tests.join(' || ')})) return false`)
  }
  if (s.enum !== undefined) {
    if (!Array.isArray(s.enum) || s.enum.length === 0 || !s.enum.every(isPrimitive)) return null
    lines.push(`if (!(${s.enum.map((value) => `v === ${constant(value)}`).join(' || ')})) return false`)
  }
  if (s.const !== undefined) {
    if (!isPrimitive(s.const)) return null
    lines.push(`if (v !== ${constant(s.const)}) return false`)
  }
  for (const [keyword, fails] of Object.entries(BOUNDS)) {
    if (s[keyword] === undefined) continue
    if (typeof s[keyword] !== 'number' || !Number.isFinite(s[keyword])) return null
    // Ajv applies numeric keywords to numbers only: a string passes them untouched.
    lines.push(`if (typeof v === 'number' && v ${fails} ${constant(s[keyword])}) return false`)
  }
  if (s.pattern !== undefined) {
    if (typeof s.pattern !== 'string') return null
    lines.push(`if (typeof v === 'string' && !${constant(new RegExp(s.pattern, 'u'))}.test(v)) return false`)
  }
  if (s.default !== undefined && !isPrimitive(s.default)) return null
  return { code: lines.join('\n'), fallback: s.default as Primitive | undefined }
}

/**
 * The yes/no check of an object schema as one generated function that also fills the slots, or
 * null when Ajv alone must judge it. As in fast_path.ts, nothing from the schema is written into
 * the source as text: names, enums, bounds and patterns are constants passed in `K`.
 */
function generateFill(schema: Record<string, unknown>, names: string[]): Fill | null {
  for (const key of Object.keys(schema)) if (!OBJECT_KEYWORDS.has(key)) return null
  if (schema.type !== 'object') return null
  const closed = schema.additionalProperties === false
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== true && !closed) return null
  const props = (schema.properties ?? {}) as Record<string, unknown>
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : [])
  for (const name of required) if (!hasOwn(props, name)) return null
  const K: unknown[] = []
  const constant = (value: unknown) => `K[${K.push(value) - 1}]`
  // Ajv walks the keys with for...in too (inherited enumerable keys included). The walk also
  // copies each known fact into its slot (reading a key inside its for...in is the cheapest read
  // there is); a fact the walk does not see (not enumerable) is then read by name, like Ajv does.
  const index = constant(new Map(names.map((name, i) => [name, i])))
  const lines = [
    'for (const key in f) {',
    `const i = ${index}.get(key)`,
    closed ? 'if (i === undefined) return false' : 'if (i === undefined) continue',
    's[i] = f[key]',
    '}',
    'let v',
  ]
  for (const [i, name] of names.entries()) {
    const compiled = propertyCode(props[name], K)
    if (!compiled) return null
    const isRequired = required.has(name)
    // A required property with a default: which comes first is Ajv's business, so Ajv decides.
    if (isRequired && compiled.fallback !== undefined) return null
    const missing =
      compiled.fallback !== undefined ? `v = ${constant(compiled.fallback)}` : isRequired ? 'return false' : null
    lines.push(`v = s[${i}]`, `if (v === undefined) v = f[${constant(name)}]`)
    if (missing) {
      lines.push(`if (v === undefined) ${missing}`, compiled.code, `s[${i}] = v`)
    } else {
      lines.push(`if (v !== undefined) {`, compiled.code, `s[${i}] = v`, '}')
    }
  }
  lines.push('return true')
  const body = `'use strict'\nreturn function fill(f, s) {\n${lines.join('\n')}\n}`
  return new Function('K', body)(K) as Fill
}

export class SlotReader {
  readonly #validate: ValidateFunction
  readonly #names: string[]
  readonly #empty: Slots
  readonly #fill: Fill | null

  /**
   * @param names the facts (the schema's properties), in slot order; they take slots 0..n-1
   * @param size the number of slots, facts and step variables
   */
  constructor(validate: ValidateFunction, schema: Record<string, unknown>, names: string[], size: number) {
    this.#validate = validate
    this.#names = names
    this.#empty = new Array(size).fill(undefined)
    this.#fill = generateFill(schema, names)
  }

  /**
   * Validates the facts (defaults applied) into fresh slots; null when they break the schema
   * (`read` then says why). Slots start undefined: "not given" for a fact, "not set" for a variable.
   */
  tryRead(facts: Record<string, unknown>): Slots | null {
    const slots = this.#empty.slice()
    if (this.#fill) return this.#fill(facts, slots) ? slots : null
    const checked = validateFacts(this.#validate, facts)
    if (!checked.ok) return null
    for (let i = 0; i < this.#names.length; i++) slots[i] = checked.facts[this.#names[i]]
    return slots
  }

  /** Validates the facts into fresh slots, or explains what is wrong with them. */
  read(facts: Record<string, unknown>): SlotCheck {
    const slots = this.tryRead(facts)
    if (slots) return { ok: true, slots }
    const explained = validateFacts(this.#validate, facts)
    if (explained.ok) {
      // The generated check refused what Ajv accepts: a bug in this file, never the caller's fault.
      throw new Error(`Generated facts check disagrees with the schema on ${JSON.stringify(facts)}`)
    }
    return explained
  }

  /** The facts and variables set so far, as an object keyed by name (for traces and tests). */
  static toRecord(slots: Slots, names: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (let i = 0; i < names.length; i++) if (slots[i] !== undefined) out[names[i]] = slots[i]
    return out
  }
}
