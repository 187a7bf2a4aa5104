/**
 * The engine's fast path: a rule set version turned into one JavaScript function for evaluations
 * without a trace (billing runs, simulations, imports), so that the JIT sees straight-line code
 * instead of a tree of closures calling each other.
 *
 * Nothing from the rule set is written into the generated source as text: facts and variables
 * become slot indices (`s[3]`), and every constant, table and function is passed in an array and
 * referred to by its index (`K[2]`, `F[5]`). The only names in the source are the outputs', and
 * only when they are plain identifiers; otherwise there is no fast path and the closures run.
 * What each operator means comes from the shared condition compiler (`leafTest`), and a test
 * checks that both paths give the same results on every rule set.
 */
import {
  compilePath,
  exactDouble,
  leafTest,
  shortDouble,
  type Condition,
  type NamedConditions,
} from '../../shared/conditions.js'
import { roundToString, toDecimal } from './decimal.js'
import type { Slots } from './fact_slots.js'
import type { ResultValue, Rounding, Step, Table, ValueSource } from './types.js'

export type FastRun = (slots: Slots) => Record<string, ResultValue>
/** A table's cells by row, then column. */
export type CellIndex = Map<string, Map<string, string>>

export interface FastPathSource {
  /** Slots 0..facts-1 hold the facts, which no step may change. */
  facts: number
  steps: Step[]
  named: NamedConditions
  outputs: Array<{ name: string; slot: number; convert: (raw: unknown, trace: null) => ResultValue }>
  slot(name: string): number
  /** A parameter's value as the closures use it (a decimal string). */
  param(name: string): string
  /** The closure path's evaluation of a formula value (it already reads slots). */
  formula(source: ValueSource): (slots: Slots, trace: null, stepId: string) => unknown
  table(name: string): Table
  cells(name: string): CellIndex
  /** The error the closures throw for a cell that does not exist. */
  missingCell(table: string, row: string, column: string): Error
}

/** Helpers the generated code calls: one object of fixed shape, so every call site is monomorphic. */
const H = {
  short: shortDouble,
  cell(cells: CellIndex, row: string, column: string, missing: (row: string, column: string) => Error): string {
    const value = cells.get(row)?.get(column)
    if (value === undefined) throw missing(row, column)
    return value
  },
  round(value: unknown, rounding: Rounding): unknown {
    const d = toDecimal(value)
    return d === null ? value : roundToString(d, rounding)
  },
}

const ORDER: Record<string, string> = {
  lessThan: '<',
  lessThanInclusive: '<=',
  greaterThan: '>',
  greaterThanInclusive: '>=',
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

class Generator {
  readonly K: unknown[] = []
  readonly F: unknown[] = []
  /** Facts compared with short constants: each is read as a double once, at the top (`d3`). */
  readonly doubles = new Set<number>()

  constructor(private readonly src: FastPathSource) {}

  private constant(value: unknown): string {
    this.K.push(value)
    return `K[${this.K.length - 1}]`
  }

  fn(value: unknown): string {
    this.F.push(value)
    return `F[${this.F.length - 1}]`
  }

  private read(name: string, path?: string): string {
    const base = `s[${this.src.slot(name)}]`
    const walk = compilePath(path)
    return walk ? `${this.fn(walk)}(${base})` : base
  }

  condition(node: Condition, depth = 0): string {
    // The closure compiler has already refused malformed conditions and reference loops; the
    // depth guard only keeps a pathological document from exhausting the stack here.
    if (depth > 200) throw new Error('condition nesting too deep for the fast path')
    if ('all' in node) {
      const parts = node.all.map((c) => this.condition(c, depth + 1))
      return parts.length === 0 ? 'true' : `(${parts.join(' && ')})`
    }
    if ('any' in node) {
      const parts = node.any.map((c) => this.condition(c, depth + 1))
      return parts.length === 0 ? 'false' : `(${parts.join(' || ')})`
    }
    if ('not' in node) return `!${this.condition(node.not, depth + 1)}`
    if ('condition' in node) return this.condition(this.src.named[node.condition], depth + 1)
    const { test, reference } = leafTest(node)
    const fact = this.read(node.fact, node.path)
    if (!reference && (node.operator === 'equal' || node.operator === 'notEqual')) {
      return `(${fact} ${node.operator === 'equal' ? '===' : '!=='} ${this.constant(node.value)})`
    }
    if (!reference && !node.path) {
      const list = node.value
      if (node.operator === 'in' || node.operator === 'notIn') {
        if (!Array.isArray(list)) return 'false'
        return `(${this.constant(list)}.indexOf(${fact}) ${node.operator === 'in' ? '>' : '==='} -1)`
      }
      const order = ORDER[node.operator]
      const slot = this.src.slot(node.fact)
      const short = order && slot < this.src.facts ? exactDouble(node.value, true) : null
      if (order && short !== null) {
        // The fact as a double (NaN when it is neither a number nor a short decimal string, and
        // then the shared test decides exactly).
        this.doubles.add(slot)
        const number = `d${slot} ${order} ${this.constant(short)}`
        return `(d${slot} === d${slot} ? ${number} : ${this.fn(test)}(${fact}, undefined))`
      }
      const limit = order ? exactDouble(node.value) : null
      if (order && limit !== null) {
        // A number compares with the exact double by itself (NaN fails every comparison, as in
        // leafTest); a string or anything else takes the shared test.
        const number = `${fact} ${order} ${this.constant(limit)}`
        return `(typeof ${fact} === 'number' ? ${number} : ${this.fn(test)}(${fact}, undefined))`
      }
    }
    const other = reference ? this.read(reference.fact, reference.path) : 'undefined'
    return `${this.fn(test)}(${fact}, ${other})`
  }

  value(source: ValueSource, stepId: string): string {
    if (source === null || typeof source !== 'object') return this.constant(source === undefined ? null : source)
    if ('var' in source) return `(${this.read(source.var)} ?? null)`
    if ('param' in source) return this.constant(this.src.param(source.param))
    if ('formula' in source) return `${this.fn(this.src.formula(source))}(s, null, ${this.constant(stepId)})`
    const name = source.lookup
    const table = this.src.table(name)
    const row = this.value(source.row, stepId)
    const column = source.column !== undefined ? this.value(source.column, stepId) : this.constant(table.columns[0])
    const missing = (r: string, c: string) => this.src.missingCell(name, r, c)
    return `H.cell(${this.constant(this.src.cells(name))}, String(${row}), String(${column}), ${this.fn(missing)})`
  }

  step(step: Step): string {
    const target = `s[${this.src.slot(step.set)}]`
    let body = ''
    if (Array.isArray(step.cases)) {
      let fallback = `${target} = null;`
      for (const c of step.cases) {
        const value = this.value(c.value, step.id)
        if (!c.when) {
          fallback = `${target} = ${value};`
          break
        }
        body += `if (${this.condition(c.when)}) ${target} = ${value};\nelse `
      }
      body += fallback
    } else {
      body = `${target} = ${this.value(step.value as ValueSource, step.id)};`
    }
    if (step.round) body += `\n${target} = H.round(${target}, ${this.constant(step.round)});`
    return step.when ? `if (${this.condition(step.when)}) {\n${body}\n}` : body
  }
}

/** The fast path of a compiled version, or null when its output names rule it out. */
export function generateFastRun(src: FastPathSource): FastRun | null {
  for (const { name } of src.outputs) if (!IDENTIFIER.test(name) || name === '__proto__') return null
  const g = new Generator(src)
  const steps = src.steps.map((step) => g.step(step)).join('\n')
  const result = src.outputs.map(({ name, slot, convert }) => `${name}: ${g.fn(convert)}(s[${slot}] ?? null, null)`)
  const doubles = [...g.doubles].map((slot) => `const d${slot} = H.short(s[${slot}])\n`).join('')
  const body = `'use strict'\nreturn function fastRun(s) {\n${doubles}${steps}\nreturn { ${result.join(', ')} }\n}`
  return new Function('H', 'K', 'F', body)(H, g.K, g.F) as FastRun
}
