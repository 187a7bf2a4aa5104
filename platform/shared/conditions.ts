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
const UNARY_OPERATORS: ReadonlySet<string> = new Set<UnaryOperator>(['isEmpty', 'isNotEmpty', 'exists'])

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

const SHORT_DECIMAL = /^-?(\d{1,15})(?:\.(\d{1,15}))?$/

/** The value as a double when that is exact for comparison, else null. */
function shortDecimal(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  const match = SHORT_DECIMAL.exec(value)
  if (!match) return null
  const significant = (match[1] + (match[2] ?? '')).replace(/^0+/, '').length
  return significant <= 15 ? Number(value) : null
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

function compilePath(path: string | undefined): ((value: unknown) => unknown) | null {
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

type Getter = (facts: Facts) => unknown

function factGetter(name: string, path: string | undefined): Getter {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConditionError('Every condition needs a "fact" naming the fact it tests.')
  }
  const walk = compilePath(path)
  if (walk) return (facts) => walk(hasOwn(facts, name) ? facts[name] : undefined)
  return (facts) => (hasOwn(facts, name) ? facts[name] : undefined)
}

function isFactReference(value: unknown): value is FactReference {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as FactReference).fact === 'string'
  )
}

function compileNumeric(getFact: Getter, value: unknown, accept: (cmp: number) => boolean): CompiledCondition {
  if (isFactReference(value)) {
    const getOther = factGetter(value.fact, value.path)
    return (facts) => {
      const cmp = compareDecimal(getFact(facts), getOther(facts))
      return cmp !== null && accept(cmp)
    }
  }
  const constant = parseDecimal(value)
  if (!constant) {
    throw new ConditionError(`A numeric comparison needs a number as "value", got ${JSON.stringify(value)}.`)
  }
  // When the constant is exactly the decimal a double prints as, a numeric fact can be compared
  // as a double (exact and fast); otherwise fall back to the decimal comparison.
  const asNumber = Number(value)
  const numberIsExact =
    Number.isFinite(asNumber) && compareParts(parseDecimal(asNumber) as DecimalParts, constant) === 0
  return (facts) => {
    const fact = getFact(facts)
    if (numberIsExact && typeof fact === 'number') {
      if (Number.isNaN(fact)) return false
      return accept(fact === asNumber ? 0 : fact > asNumber ? 1 : -1)
    }
    const parsed = parseDecimal(fact)
    return parsed !== null && accept(compareParts(parsed, constant))
  }
}

function compileLeaf(leaf: LeafCondition): CompiledCondition {
  const operator = leaf.operator as string
  const getFact = factGetter(leaf.fact, leaf.path)
  if (UNARY_OPERATORS.has(operator)) {
    switch (operator as UnaryOperator) {
      case 'exists':
        return (facts) => {
          const v = getFact(facts)
          return v !== undefined && v !== null
        }
      case 'isEmpty':
        return (facts) => isEmptyValue(getFact(facts))
      case 'isNotEmpty':
        return (facts) => !isEmptyValue(getFact(facts))
    }
  }
  if (!COMPARISON_OPERATORS.has(operator)) {
    throw new ConditionError(`Unknown operator "${operator}" on fact "${leaf.fact}".`)
  }
  const op = operator as ComparisonOperator
  if (op === 'lessThan') return compileNumeric(getFact, leaf.value, (c) => c < 0)
  if (op === 'lessThanInclusive') return compileNumeric(getFact, leaf.value, (c) => c <= 0)
  if (op === 'greaterThan') return compileNumeric(getFact, leaf.value, (c) => c > 0)
  if (op === 'greaterThanInclusive') return compileNumeric(getFact, leaf.value, (c) => c >= 0)

  const valueGetter: Getter = isFactReference(leaf.value)
    ? factGetter(leaf.value.fact, leaf.value.path)
    : (
        (constant: unknown) => () =>
          constant
      )(leaf.value)

  switch (op) {
    case 'equal':
      return (facts) => getFact(facts) === valueGetter(facts)
    case 'notEqual':
      return (facts) => getFact(facts) !== valueGetter(facts)
    case 'in':
      return (facts) => {
        const list = valueGetter(facts)
        return Array.isArray(list) && list.indexOf(getFact(facts)) > -1
      }
    case 'notIn':
      return (facts) => {
        const list = valueGetter(facts)
        return Array.isArray(list) && list.indexOf(getFact(facts)) === -1
      }
    case 'contains':
      return (facts) => {
        const list = getFact(facts)
        return Array.isArray(list) && list.indexOf(valueGetter(facts)) > -1
      }
    case 'doesNotContain':
      return (facts) => {
        const list = getFact(facts)
        return Array.isArray(list) && list.indexOf(valueGetter(facts)) === -1
      }
  }
  throw new ConditionError(`Unknown operator "${operator}" on fact "${leaf.fact}".`)
}

// ---------------------------------------------------------------------------------------------
// Tree compilation.

const ALWAYS_TRUE: CompiledCondition = () => true
const ALWAYS_FALSE: CompiledCondition = () => false

function compileNode(
  node: Condition,
  named: NamedConditions,
  resolving: string[],
  resolved: Map<string, CompiledCondition>
): CompiledCondition {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new ConditionError(`A condition must be an object, got ${JSON.stringify(node)}.`)
  }
  if ('all' in node) {
    if (!Array.isArray(node.all)) throw new ConditionError('"all" must be a list of conditions.')
    const parts = node.all.map((c) => compileNode(c, named, resolving, resolved))
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
    const parts = node.any.map((c) => compileNode(c, named, resolving, resolved))
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
    const inner = compileNode(node.not, named, resolving, resolved)
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
    const compiled = compileNode(named[name], named, [...resolving, name], resolved)
    resolved.set(name, compiled)
    return compiled
  }
  if ('fact' in node && 'operator' in node) return compileLeaf(node)
  throw new ConditionError(
    `A condition must have "all", "any", "not", "condition" or "fact" + "operator": ${JSON.stringify(node)}.`
  )
}

/**
 * Compiles a condition into a closure. Throws ConditionError on a malformed condition, an
 * unknown operator or an undefined / circular named condition.
 */
export function compileCondition(condition: Condition, named: NamedConditions = {}): CompiledCondition {
  return compileNode(condition, named, [], new Map())
}

/**
 * Compiles every named condition once, sharing the compiled references between them.
 */
export function compileNamedConditions(named: NamedConditions): Record<string, CompiledCondition> {
  const resolved = new Map<string, CompiledCondition>()
  const out: Record<string, CompiledCondition> = {}
  for (const name of Object.keys(named)) {
    out[name] = compileNode({ condition: name }, named, [], resolved)
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
