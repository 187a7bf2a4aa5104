/**
 * Compiler of json-rules-engine *condition* JSON into plain closures.
 *
 * Shared by the rules engine (server, batch path) and the form engine (server and browser), so
 * this file must stay free of Node APIs and of runtime imports: it only exports functions and
 * types.
 *
 * Semantics follow json-rules-engine (so that a condition written for one behaves the same in the
 * other; a property-based test checks it), with two deliberate differences:
 *  - numeric operators (lessThan, greaterThan, ...) compare decimals exactly: "4300.01" and
 *    4300.01 are the same amount, and two numeric strings are compared as numbers, never as text;
 *  - a condition referring to an unknown named condition, or a cycle of references, is an error
 *    at compile time instead of at evaluation time.
 * A missing fact evaluates as `undefined` (json-rules-engine's `allowUndefinedFacts: true`).
 */

export type ComparisonOperator =
  | 'equal'
  | 'notEqual'
  | 'lessThan'
  | 'lessThanInclusive'
  | 'greaterThan'
  | 'greaterThanInclusive'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'doesNotContain'

/** Operators with no `value`: they look at the fact alone. */
export type UnaryOperator = 'isEmpty' | 'isNotEmpty' | 'exists'

export type Operator = ComparisonOperator | UnaryOperator

/** `{ fact: "other" }` used as a `value`: compare with another fact instead of a constant. */
export interface FactReference {
  fact: string
  path?: string
}

export interface LeafCondition {
  fact: string
  operator: Operator
  value?: unknown
  path?: string
  /** Optional label, ignored by evaluation, kept so that JSON round-trips. */
  name?: string
  priority?: number
  params?: Record<string, unknown>
}

export interface AllCondition {
  all: Condition[]
  name?: string
  priority?: number
}

export interface AnyCondition {
  any: Condition[]
  name?: string
  priority?: number
}

export interface NotCondition {
  not: Condition
  name?: string
  priority?: number
}

/** Reference to a named condition (json-rules-engine `engine.setCondition(name, ...)`). */
export interface ConditionReference {
  condition: string
  name?: string
  priority?: number
}

export type Condition = AllCondition | AnyCondition | NotCondition | ConditionReference | LeafCondition

export type Facts = Record<string, unknown>
export type CompiledCondition = (facts: Facts) => boolean
export type NamedConditions = Record<string, Condition>
/** Reads one fact from whatever holds the facts: by default an object keyed by fact name. */
export type Getter = (facts: Facts) => unknown
/**
 * How a fact is found: given its name, a reader of its value. The rules engine passes one that
 * reads from its own storage (an array with a slot per name); forms use the default.
 */
export type FactAccess = (name: string) => Getter

export class ConditionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConditionError'
  }
}

const COMPARISON_OPERATORS: ReadonlySet<string> = new Set<ComparisonOperator>([
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
])

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)

// ---------------------------------------------------------------------------------------------
// Exact decimal comparison.
// A decimal is kept as sign + significant digits + power of ten: value = ±digits × 10^exp.
// Numbers are read as the decimal they print as (String(n)), so 4300.01 equals "4300.01".

interface DecimalParts {
  negative: boolean
  /** Significant digits, no leading or trailing zeros; '' means zero. */
  digits: string
  exp: number
}

const DECIMAL_PATTERN = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/

function parseDecimal(input: unknown): DecimalParts | null {
  let text: string
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return null
    text = String(input)
  } else if (typeof input === 'string') {
    text = input
  } else if (typeof input === 'bigint') {
    text = input.toString()
  } else {
    return null
  }
  const match = DECIMAL_PATTERN.exec(text)
  if (!match) return null
  const intPart = match[2] ?? ''
  const fracPart = match[3] ?? ''
  if (intPart.length === 0 && fracPart.length === 0) return null
  let digits = intPart + fracPart
  let exp = (match[4] ? Number.parseInt(match[4], 10) : 0) - fracPart.length
  let start = 0
  while (start < digits.length && digits.charCodeAt(start) === 48) start++
  let end = digits.length
  while (end > start && digits.charCodeAt(end - 1) === 48) {
    end--
    exp++
  }
  digits = digits.slice(start, end)
  if (digits.length === 0) return { negative: false, digits: '', exp: 0 }
  return { negative: match[1] === '-', digits, exp }
}

function compareMagnitude(a: DecimalParts, b: DecimalParts): number {
  if (a.digits.length === 0 || b.digits.length === 0) {
    return (a.digits.length === 0 ? 0 : 1) - (b.digits.length === 0 ? 0 : 1)
  }
  // Position of the most significant digit decides first.
  const orderA = a.digits.length + a.exp
  const orderB = b.digits.length + b.exp
  if (orderA !== orderB) return orderA > orderB ? 1 : -1
  const len = Math.max(a.digits.length, b.digits.length)
  const da = a.digits.padEnd(len, '0')
  const db = b.digits.padEnd(len, '0')
  return da === db ? 0 : da > db ? 1 : -1
}

function compareParts(a: DecimalParts, b: DecimalParts): number {
  const signA = a.digits.length === 0 ? 0 : a.negative ? -1 : 1
  const signB = b.digits.length === 0 ? 0 : b.negative ? -1 : 1
  if (signA !== signB) return signA > signB ? 1 : -1
  const magnitude = compareMagnitude(a, b)
  return signA < 0 ? -magnitude : magnitude
}

/**
 * Compares two decimal values (numbers or numeric strings) exactly.
 * Returns -1, 0 or 1, or null when either side is not a number.
 */
export function compareDecimal(a: unknown, b: unknown): -1 | 0 | 1 | null {
  if (typeof a === 'number' && typeof b === 'number') {
    // Two doubles compare exactly; the decimals they print as keep the same order.
    if (Number.isNaN(a) || Number.isNaN(b)) return null
    return a === b ? 0 : a > b ? 1 : -1
  }
  // A plain decimal string of at most 15 significant digits converts to the one double nearest
  // to it, and distinct such decimals never share a double: comparing the doubles is exact.
  const na = shortDecimal(a)
  const nb = shortDecimal(b)
  if (na !== null && nb !== null) return na === nb ? 0 : na > nb ? 1 : -1
  const pa = parseDecimal(a)
  if (!pa) return null
  const pb = parseDecimal(b)
  if (!pb) return null
  const c = compareParts(pa, pb)
  return c === 0 ? 0 : c > 0 ? 1 : -1
}

/** Exact powers of ten as doubles (every one up to 1e22 is exact). */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i)

/**
 * The value as a double when that is exact for comparison, else null: a number, or a plain
 * decimal string (optional "-", 1 to 15 integer digits, optionally "." and 1 to 15 decimals) with
 * at most 15 significant digits. Read character by character, as this runs on every comparison:
 * the digits form an integer below 10^15 (exact in a double) and one division by an exact power
 * of ten rounds correctly, so the result is the double nearest to the decimal, as Number() gives.
 */
function shortDecimal(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  const length = value.length
  const negative = value.charCodeAt(0) === 45
  let i = negative ? 1 : 0
  let intDigits = 0
  let fracDigits = 0
  let significant = 0
  let mantissa = 0
  let seenDot = false
  for (; i < length; i++) {
    const c = value.charCodeAt(i)
    if (c === 46) {
      if (seenDot || intDigits === 0) return null
      seenDot = true
      continue
    }
    if (c < 48 || c > 57) return null
    if (seenDot) fracDigits++
    else intDigits++
    if (c !== 48 || significant > 0) {
      if (++significant > 15) return null
      mantissa = mantissa * 10 + (c - 48)
    }
  }
  if (intDigits === 0 || intDigits > 15 || fracDigits > 15 || (seenDot && fracDigits === 0)) return null
  const magnitude = mantissa / POW10[fracDigits]
  return negative ? -magnitude : magnitude
}

/** True when the value is a finite number or a string holding a decimal number. */
export function isDecimalLike(value: unknown): boolean {
  return parseDecimal(value) !== null
}

// ---------------------------------------------------------------------------------------------
// Paths: a small subset of JSONPath — `$.a.b`, `$.list[0]`, `$['key']`, `$.list.length`.

type PathStep = string | number

function parsePath(path: string): PathStep[] {
  const trimmed = path.trim()
  if (!trimmed.startsWith('$')) {
    throw new ConditionError(`Path "${path}" must start with "$" (for example "$.address.city").`)
  }
  const steps: PathStep[] = []
  let i = 1
  while (i < trimmed.length) {
    const ch = trimmed[i]
    if (ch === '.') {
      const m = /^[A-Za-z_$][\w$-]*/.exec(trimmed.slice(i + 1))
      if (!m) throw new ConditionError(`Path "${path}" has an invalid segment at position ${i}.`)
      steps.push(m[0])
      i += 1 + m[0].length
    } else if (ch === '[') {
      const close = trimmed.indexOf(']', i)
      if (close < 0) throw new ConditionError(`Path "${path}" has an unclosed "[".`)
      const inner = trimmed.slice(i + 1, close).trim()
      if (/^\d+$/.test(inner)) {
        steps.push(Number.parseInt(inner, 10))
      } else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) {
        steps.push(inner.slice(1, -1))
      } else {
        throw new ConditionError(`Path "${path}" supports only [number] or ['key'] between brackets.`)
      }
      i = close + 1
    } else {
      throw new ConditionError(`Path "${path}" has an unexpected "${ch}" at position ${i}.`)
    }
  }
  for (const step of steps) {
    if (step === '__proto__' || step === 'constructor' || step === 'prototype') {
      throw new ConditionError(`Path "${path}" may not use "${step}".`)
    }
  }
  return steps
}

/** A reader of the value a path points to inside a fact, or null for the fact itself (no path). */
export function compilePath(path: string | undefined): ((value: unknown) => unknown) | null {
  if (path === undefined || path === null || path === '' || path === '$') return null
  const steps = parsePath(path)
  return (value: unknown) => {
    let current: unknown = value
    for (const step of steps) {
      if (current === null || current === undefined) return undefined
      if (step === 'length' && (Array.isArray(current) || typeof current === 'string')) {
        current = current.length
      } else if (typeof step === 'number') {
        current = Array.isArray(current) ? current[step] : undefined
      } else if (typeof current === 'object' && hasOwn(current as object, step)) {
        current = (current as Record<string, unknown>)[step]
      } else {
        return undefined
      }
    }
    return current
  }
}

// ---------------------------------------------------------------------------------------------
// Operators.

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (typeof value === 'string') return value.trim().length === 0
  if (Array.isArray(value)) return value.length === 0
  if (typeof value === 'object') return Object.keys(value as object).length === 0
  return false
}

/** The default access: an object keyed by fact name, own properties only. */
export const byName: FactAccess = (name) => (facts) => (hasOwn(facts, name) ? facts[name] : undefined)

function factGetter(name: string, path: string | undefined, access: FactAccess): Getter {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConditionError('Every condition needs a "fact" naming the fact it tests.')
  }
  const walk = compilePath(path)
  const read = access(name)
  if (walk) return (facts) => walk(read(facts))
  return read
}

function isFactReference(value: unknown): value is FactReference {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as FactReference).fact === 'string'
  )
}

type Comparer = (fact: unknown, other: unknown) => number | null

/** Compares a fact with a constant amount: -1, 0 or 1, or null when the fact is not a number. */
function constantComparer(value: unknown): Comparer {
  const constant = parseDecimal(value)
  if (!constant) {
    throw new ConditionError(`A numeric comparison needs a number as "value", got ${JSON.stringify(value)}.`)
  }
  // When the constant is exactly the decimal a double prints as, a numeric fact can be compared
  // as a double (exact and fast); a short decimal string (see shortDecimal) too, when the
  // constant is short as well: both sides then map to distinct doubles in the same order.
  // Anything else takes the exact decimal comparison.
  const asNumber = Number(value)
  const numberIsExact =
    Number.isFinite(asNumber) && compareParts(parseDecimal(asNumber) as DecimalParts, constant) === 0
  const shortConstant = numberIsExact && constant.digits.length <= 15
  return (fact) => {
    if (numberIsExact && typeof fact === 'number') {
      if (Number.isNaN(fact)) return null
      return fact === asNumber ? 0 : fact > asNumber ? 1 : -1
    }
    if (shortConstant && typeof fact === 'string') {
      const n = shortDecimal(fact)
      if (n !== null) return n === asNumber ? 0 : n > asNumber ? 1 : -1
    }
    const parsed = parseDecimal(fact)
    return parsed === null ? null : compareParts(parsed, constant)
  }
}

/**
 * The constant of a numeric comparison as a double, when the double is exactly that decimal (so
 * a number fact can be compared with plain `<`, `>=`...); null otherwise. With `short`, also null
 * when it has more than 15 significant digits, so that it may be compared with `shortDouble`s.
 */
export function exactDouble(value: unknown, short = false): number | null {
  const constant = parseDecimal(value)
  if (!constant || (short && constant.digits.length > 15)) return null
  const asNumber = Number(value)
  if (!Number.isFinite(asNumber)) return null
  return compareParts(parseDecimal(asNumber) as DecimalParts, constant) === 0 ? asNumber : null
}

/**
 * A fact as a double that compares exactly with a short constant (see `exactDouble`): a finite
 * number itself, or a short decimal string's double; NaN for anything else.
 */
export function shortDouble(value: unknown): number {
  return shortDecimal(value) ?? Number.NaN
}

/** Tests two values: the fact's and the other fact's (or undefined when the leaf has a constant). */
export type ValueTest = (fact: unknown, other: unknown) => boolean

function orderTest(op: ComparisonOperator, compare: Comparer): ValueTest {
  switch (op) {
    case 'lessThan':
      return (a, b) => {
        const c = compare(a, b)
        return c !== null && c < 0
      }
    case 'lessThanInclusive':
      return (a, b) => {
        const c = compare(a, b)
        return c !== null && c <= 0
      }
    case 'greaterThan':
      return (a, b) => {
        const c = compare(a, b)
        return c !== null && c > 0
      }
    default:
      return (a, b) => {
        const c = compare(a, b)
        return c !== null && c >= 0
      }
  }
}

const ORDER_OPERATORS: ReadonlySet<string> = new Set([
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
])

/**
 * What a leaf condition decides once its values are read: `test(fact, other)`, where `other` is
 * the value of the fact named by `reference` when the leaf compares two facts. The closures of
 * this file and the rules engine's generated code both read facts their own way and share this.
 */
export function leafTest(leaf: LeafCondition): { test: ValueTest; reference: FactReference | null } {
  const operator = leaf.operator as string
  if (typeof leaf.fact !== 'string' || leaf.fact.length === 0) {
    throw new ConditionError('Every condition needs a "fact" naming the fact it tests.')
  }
  switch (operator) {
    case 'exists':
      return { test: (v) => v !== undefined && v !== null, reference: null }
    case 'isEmpty':
      return { test: (v) => isEmptyValue(v), reference: null }
    case 'isNotEmpty':
      return { test: (v) => !isEmptyValue(v), reference: null }
  }
  if (!COMPARISON_OPERATORS.has(operator)) {
    throw new ConditionError(`Unknown operator "${operator}" on fact "${leaf.fact}".`)
  }
  const op = operator as ComparisonOperator
  const reference = isFactReference(leaf.value) ? { fact: leaf.value.fact, path: leaf.value.path } : null
  if (reference && (typeof reference.fact !== 'string' || reference.fact.length === 0)) {
    throw new ConditionError('Every condition needs a "fact" naming the fact it tests.')
  }
  if (ORDER_OPERATORS.has(op)) {
    return { test: orderTest(op, reference ? compareDecimal : constantComparer(leaf.value)), reference }
  }
  const constant = leaf.value
  switch (op) {
    case 'equal':
      return { test: reference ? (a, b) => a === b : (a) => a === constant, reference }
    case 'notEqual':
      return { test: reference ? (a, b) => a !== b : (a) => a !== constant, reference }
    case 'in':
      return {
        test: reference
          ? (a, list) => Array.isArray(list) && list.indexOf(a) > -1
          : (a) => Array.isArray(constant) && constant.indexOf(a) > -1,
        reference,
      }
    case 'notIn':
      return {
        test: reference
          ? (a, list) => Array.isArray(list) && list.indexOf(a) === -1
          : (a) => Array.isArray(constant) && constant.indexOf(a) === -1,
        reference,
      }
    case 'contains':
      return {
        test: reference
          ? (list, b) => Array.isArray(list) && list.indexOf(b) > -1
          : (list) => Array.isArray(list) && list.indexOf(constant) > -1,
        reference,
      }
    default:
      return {
        test: reference
          ? (list, b) => Array.isArray(list) && list.indexOf(b) === -1
          : (list) => Array.isArray(list) && list.indexOf(constant) === -1,
        reference,
      }
  }
}

function compileLeaf(leaf: LeafCondition, access: FactAccess): CompiledCondition {
  const { test, reference } = leafTest(leaf)
  const getFact = factGetter(leaf.fact, leaf.path, access)
  if (!reference) return (facts) => test(getFact(facts), undefined)
  const getOther = factGetter(reference.fact, reference.path, access)
  return (facts) => test(getFact(facts), getOther(facts))
}

// ---------------------------------------------------------------------------------------------
// Tree compilation.

const ALWAYS_TRUE: CompiledCondition = () => true
const ALWAYS_FALSE: CompiledCondition = () => false

function compileNode(
  node: Condition,
  named: NamedConditions,
  resolving: string[],
  resolved: Map<string, CompiledCondition>,
  access: FactAccess
): CompiledCondition {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new ConditionError(`A condition must be an object, got ${JSON.stringify(node)}.`)
  }
  if ('all' in node) {
    if (!Array.isArray(node.all)) throw new ConditionError('"all" must be a list of conditions.')
    const parts = node.all.map((c) => compileNode(c, named, resolving, resolved, access))
    if (parts.length === 0) return ALWAYS_TRUE
    if (parts.length === 1) return parts[0]
    if (parts.length === 2) {
      const [a, b] = parts
      return (facts) => a(facts) && b(facts)
    }
    return (facts) => {
      for (const part of parts) if (!part(facts)) return false
      return true
    }
  }
  if ('any' in node) {
    if (!Array.isArray(node.any)) throw new ConditionError('"any" must be a list of conditions.')
    const parts = node.any.map((c) => compileNode(c, named, resolving, resolved, access))
    if (parts.length === 0) return ALWAYS_FALSE
    if (parts.length === 1) return parts[0]
    if (parts.length === 2) {
      const [a, b] = parts
      return (facts) => a(facts) || b(facts)
    }
    return (facts) => {
      for (const part of parts) if (part(facts)) return true
      return false
    }
  }
  if ('not' in node) {
    const inner = compileNode(node.not, named, resolving, resolved, access)
    return (facts) => !inner(facts)
  }
  if ('condition' in node) {
    const name = node.condition
    const cached = resolved.get(name)
    if (cached) return cached
    if (!hasOwn(named, name)) {
      throw new ConditionError(`Condition "${name}" is referenced but not defined.`)
    }
    if (resolving.includes(name)) {
      throw new ConditionError(`Conditions refer to each other in a loop: ${[...resolving, name].join(' → ')}.`)
    }
    const compiled = compileNode(named[name], named, [...resolving, name], resolved, access)
    resolved.set(name, compiled)
    return compiled
  }
  if ('fact' in node && 'operator' in node) return compileLeaf(node, access)
  throw new ConditionError(
    `A condition must have "all", "any", "not", "condition" or "fact" + "operator": ${JSON.stringify(node)}.`
  )
}

/**
 * Compiles a condition into a closure. Throws ConditionError on a malformed condition, an
 * unknown operator or an undefined / circular named condition.
 */
export function compileCondition(
  condition: Condition,
  named: NamedConditions = {},
  access: FactAccess = byName
): CompiledCondition {
  return compileNode(condition, named, [], new Map(), access)
}

/**
 * Compiles every named condition once, sharing the compiled references between them.
 */
export function compileNamedConditions(
  named: NamedConditions,
  access: FactAccess = byName
): Record<string, CompiledCondition> {
  const resolved = new Map<string, CompiledCondition>()
  const out: Record<string, CompiledCondition> = {}
  for (const name of Object.keys(named)) {
    out[name] = compileNode({ condition: name }, named, [], resolved, access)
  }
  return out
}

// Compiled closures are reused for the same condition object (and the same named map).
const cache = new WeakMap<object, { named: NamedConditions | undefined; fn: CompiledCondition }>()

/** Evaluates a condition on facts (compiling it once per condition object). */
export function evaluateCondition(condition: Condition, facts: Facts, named?: NamedConditions): boolean {
  const hit = cache.get(condition)
  if (hit && hit.named === named) return hit.fn(facts)
  const fn = compileCondition(condition, named ?? {})
  cache.set(condition, { named, fn })
  return fn(facts)
}
