/**
 * Compiles a rule set version once into closures (conditions, table lookups, formulas, outputs)
 * and caches the result by content hash, so that the single and the batch paths never re-read
 * the JSON. With `trace` off the closures build no explanation at all.
 */
import { createHash } from 'node:crypto'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import {
  compileCondition,
  compileNamedConditions,
  ConditionError,
  type CompiledCondition,
  type Condition,
} from '../../shared/conditions.js'
import { Dec, roundToString, toDecimal } from './decimal.js'
import { FormulaError, RuleSetError } from './errors.js'
import { compileFactsSchema } from './facts_schema.js'
import { compileFormula, type CompiledFormula, type Scope } from './formula_sandbox.js'
import { compileLocalized, formatEur } from './trace.js'
import type {
  ResultValue,
  Rounding,
  RuleSetDocument,
  RuleSetVersion,
  Step,
  Table,
  TraceEntry,
  ValueSource,
} from './types.js'

/** Used only when a version states no rounding: cents, half up (the usual rule for fees). */
export const DEFAULT_ROUNDING: Rounding = { decimals: 2, mode: 'ROUND_HALF_UP' }

type Trace = TraceEntry[] | null
type ValueFn = (scope: Scope, trace: Trace, stepId: string) => unknown
type StepFn = (scope: Scope, trace: Trace) => void

export interface CompiledVersion {
  ruleset: string
  version: RuleSetVersion
  validate: ValidateFunction
  conditions: Record<string, CompiledCondition>
  steps: Array<{ id: string; run: StepFn }>
  /**
   * Runs the pipeline on validated facts; `observe` sees the scope before each step. The facts
   * object becomes the working scope (no copy on the hot path): pass the copy that
   * `validateFacts` returns, never the caller's object.
   */
  run(
    facts: Record<string, unknown>,
    trace: Trace,
    observe?: (stepId: string, scope: Scope) => void
  ): Record<string, ResultValue>
}

const MONEY_2 = /^-?\d+\.\d{2}$/

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Decimals computed by a step are kept in scope as plain decimal strings (serialisable). */
function normalise(value: unknown): unknown {
  return value instanceof Dec ? value.toFixed() : value
}

function render(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  return JSON.stringify(value)
}

class VersionCompiler {
  private readonly constants: Record<string, InstanceType<typeof Dec>> = {}
  private readonly formulas: Record<string, CompiledFormula> = {}
  private readonly named: Record<string, Condition>

  constructor(
    private readonly rulesetId: string,
    private readonly v: RuleSetVersion
  ) {
    this.named = v.conditions ?? {}
  }

  private where(what: string): string {
    return `${this.rulesetId} v${this.v.version}, ${what}`
  }

  compile(): CompiledVersion {
    const v = this.v
    if (!isPlainObject(v.facts_schema)) throw new RuleSetError(this.where('facts_schema mancante'))
    let validate: ValidateFunction
    try {
      validate = compileFactsSchema(v.facts_schema)
    } catch (error) {
      throw new RuleSetError(this.where(`facts_schema non valido: ${(error as Error).message}`))
    }
    const factNames = new Set(Object.keys((v.facts_schema.properties as object | undefined) ?? {}))

    for (const [name, param] of Object.entries(v.parameters ?? {})) {
      const value = toDecimal(param?.value)
      if (value === null) throw new RuleSetError(this.where(`il parametro "${name}" non è un numero`))
      if (!param.reference) throw new RuleSetError(this.where(`il parametro "${name}" non ha "reference"`))
      if (factNames.has(name)) throw new RuleSetError(this.where(`il parametro "${name}" ha il nome di un dato`))
      this.constants[name] = value
    }
    for (const [name, table] of Object.entries(v.tables ?? {})) this.checkTable(name, table)
    for (const [name, formula] of Object.entries(v.formulas ?? {})) {
      if (!formula?.reference) throw new RuleSetError(this.where(`la formula "${name}" non ha "reference"`))
      try {
        this.formulas[name] = compileFormula(name, formula.expression, this.constants)
      } catch (error) {
        if (error instanceof FormulaError) throw new RuleSetError(this.where(error.message))
        throw error
      }
    }

    let conditions: Record<string, CompiledCondition>
    try {
      conditions = compileNamedConditions(this.named)
    } catch (error) {
      throw new RuleSetError(this.where(`condizioni: ${(error as Error).message}`))
    }

    if (!Array.isArray(v.steps) || v.steps.length === 0) throw new RuleSetError(this.where('nessuno step'))
    const ids = new Set<string>()
    const steps = v.steps.map((step) => {
      if (!step || typeof step.id !== 'string' || typeof step.set !== 'string') {
        throw new RuleSetError(this.where('ogni step deve avere "id" e "set"'))
      }
      if (ids.has(step.id)) throw new RuleSetError(this.where(`step "${step.id}" duplicato`))
      ids.add(step.id)
      if (factNames.has(step.set)) {
        throw new RuleSetError(this.where(`lo step "${step.id}" non può sovrascrivere il dato "${step.set}"`))
      }
      if (step.set in this.constants) {
        throw new RuleSetError(this.where(`lo step "${step.id}" usa il nome del parametro "${step.set}"`))
      }
      return { id: step.id, run: this.compileStep(step) }
    })

    if (!isPlainObject(v.outputs) || Object.keys(v.outputs).length === 0) {
      throw new RuleSetError(this.where('nessun output'))
    }
    const outputs = Object.entries(v.outputs).map(([name, out]) => this.compileOutput(name, out))

    return {
      ruleset: this.rulesetId,
      version: v,
      validate,
      conditions,
      steps,
      run(facts, trace, observe) {
        const scope: Scope = facts
        for (const step of steps) {
          if (observe) observe(step.id, { ...scope })
          step.run(scope, trace)
        }
        const result: Record<string, ResultValue> = {}
        for (const output of outputs) output(scope, result, trace)
        return result
      },
    }
  }

  private checkTable(name: string, table: Table): void {
    if (!table?.reference) throw new RuleSetError(this.where(`la tabella "${name}" non ha "reference"`))
    if (!Array.isArray(table.rows) || !Array.isArray(table.columns) || !isPlainObject(table.cells)) {
      throw new RuleSetError(this.where(`la tabella "${name}" deve avere rows, columns e cells`))
    }
    for (const row of table.rows) {
      for (const column of table.columns) {
        const cell = table.cells[row]?.[column]
        if (typeof cell !== 'string' || toDecimal(cell) === null) {
          throw new RuleSetError(
            this.where(`la tabella "${name}" non ha un importo (stringa decimale) nella cella ${row}/${column}`)
          )
        }
      }
    }
  }

  private condition(condition: Condition, what: string): CompiledCondition {
    try {
      return compileCondition(condition, this.named)
    } catch (error) {
      if (error instanceof ConditionError) throw new RuleSetError(this.where(`${what}: ${error.message}`))
      throw error
    }
  }

  private compileValue(source: ValueSource, what: string): ValueFn {
    if (source === null || typeof source !== 'object') {
      return () => source
    }
    if ('var' in source) {
      const name = source.var
      return (scope) => (Object.prototype.hasOwnProperty.call(scope, name) ? scope[name] : null)
    }
    if ('param' in source) {
      const name = source.param
      const param = this.v.parameters?.[name]
      if (!param) throw new RuleSetError(this.where(`${what}: parametro "${name}" inesistente`))
      const value = (this.constants[name] as InstanceType<typeof Dec>).toFixed()
      return (_scope, trace, stepId) => {
        if (trace) {
          trace.push({
            step: stepId,
            kind: 'parameter',
            parameter: name,
            value,
            message: `${param.label?.it ?? name} = ${value}`,
            message_en: `${param.label?.en ?? name} = ${value}`,
            source: param.reference,
          })
        }
        return value
      }
    }
    if ('formula' in source) {
      const name = source.formula
      const formula = this.formulas[name]
      if (!formula) throw new RuleSetError(this.where(`${what}: formula "${name}" inesistente`))
      const reference = this.v.formulas?.[name]?.reference
      return (scope, trace, stepId) => {
        const value = formula.evaluate(scope).toFixed()
        if (trace) {
          const inputs: Record<string, unknown> = {}
          for (const id of formula.inputs) inputs[id] = scope[id] ?? null
          const shown = Object.entries(inputs)
            .map(([k, x]) => `${k} = ${x}`)
            .join(', ')
          trace.push({
            step: stepId,
            kind: 'formula',
            formula: name,
            expression: formula.expression,
            inputs,
            value,
            message: `Formula ${name}: ${formula.expression}${shown ? ` con ${shown}` : ''} → ${value}`,
            message_en: `Formula ${name}: ${formula.expression}${shown ? ` with ${shown}` : ''} → ${value}`,
            source: reference,
          })
        }
        return value
      }
    }
    if ('lookup' in source) {
      const name = source.lookup
      const table = this.v.tables?.[name]
      if (!table) throw new RuleSetError(this.where(`${what}: tabella "${name}" inesistente`))
      const rowFn = this.compileValue(source.row, what)
      let columnFn: ValueFn
      if (source.column !== undefined) {
        columnFn = this.compileValue(source.column, what)
      } else if (table.columns.length === 1) {
        const only = table.columns[0]
        columnFn = () => only
      } else {
        throw new RuleSetError(this.where(`${what}: indicare la colonna della tabella "${name}"`))
      }
      const label = table.label?.it ?? name
      const labelEn = table.label?.en ?? name
      return (scope, trace, stepId) => {
        const row = String(rowFn(scope, null, stepId))
        const column = String(columnFn(scope, null, stepId))
        const value = table.cells[row]?.[column]
        if (value === undefined) {
          throw new RuleSetError(this.where(`la tabella "${name}" non ha la cella riga "${row}", colonna "${column}"`))
        }
        if (trace) {
          trace.push({
            step: stepId,
            kind: 'table',
            table: name,
            row,
            column,
            value,
            message: `Tabella ${label}: riga ${row}, colonna ${column} → ${formatEur(value)}`,
            message_en: `Table ${labelEn}: row ${row}, column ${column} → ${formatEur(value)}`,
            source: table.reference,
          })
        }
        return value
      }
    }
    throw new RuleSetError(this.where(`${what}: valore non riconosciuto ${JSON.stringify(source)}`))
  }

  private compileStep(step: Step): StepFn {
    const id = step.id
    const target = step.set
    const when = step.when ? this.condition(step.when, `step "${id}", when`) : null
    const rounding = step.round ?? null
    const stepMessage = compileLocalized(step.message)
    const reference = step.reference

    let body: StepFn
    if (Array.isArray(step.cases)) {
      const cases = step.cases.map((c, i) => {
        if (!c || typeof c.rule !== 'string') {
          throw new RuleSetError(this.where(`step "${id}", caso ${i + 1}: manca "rule"`))
        }
        return {
          rule: c.rule,
          when: c.when ? this.condition(c.when, `step "${id}", regola "${c.rule}"`) : null,
          value: this.compileValue(c.value, `step "${id}", regola "${c.rule}"`),
          message: compileLocalized(c.message),
          reference: c.reference ?? reference,
        }
      })
      body = (scope, trace) => {
        for (const c of cases) {
          if (c.when && !c.when(scope)) continue
          let entry: TraceEntry | null = null
          if (trace) {
            entry = {
              step: id,
              kind: 'rule',
              rule: c.rule,
              set: target,
              message: c.message ? c.message.it(scope) : `Regola ${c.rule}`,
              message_en: c.message ? c.message.en(scope) : `Rule ${c.rule}`,
              source: c.reference,
            }
            trace.push(entry)
          }
          const value = normalise(c.value(scope, trace, id))
          scope[target] = value
          if (entry) entry.value = render(value)
          return
        }
        scope[target] = null
        if (trace) {
          trace.push({
            step: id,
            kind: 'rule',
            set: target,
            value: null,
            message: 'Nessuna regola applicabile',
            message_en: 'No rule applies',
            source: reference,
          })
        }
      }
    } else if (step.value !== undefined) {
      const valueFn = this.compileValue(step.value, `step "${id}"`)
      const tracesItself = isPlainObject(step.value) && !('var' in step.value)
      body = (scope, trace) => {
        const value = normalise(valueFn(scope, trace, id))
        scope[target] = value
        if (trace && (stepMessage || !tracesItself)) {
          trace.push({
            step: id,
            kind: 'value',
            set: target,
            value: render(value),
            message: stepMessage ? stepMessage.it(scope) : `${target} = ${render(value)}`,
            message_en: stepMessage ? stepMessage.en(scope) : `${target} = ${render(value)}`,
            source: reference,
          })
        }
      }
    } else {
      throw new RuleSetError(this.where(`lo step "${id}" deve avere "value" o "cases"`))
    }

    const withRounding: StepFn = rounding
      ? (scope, trace) => {
          body(scope, trace)
          const d = toDecimal(scope[target])
          if (d === null) return
          const rounded = roundToString(d, rounding)
          if (trace) {
            trace.push({
              step: id,
              kind: 'round',
              set: target,
              value: rounded,
              message: `${target} arrotondato a ${rounding.decimals} decimali (${rounding.mode}): ${rounded}`,
              message_en: `${target} rounded to ${rounding.decimals} decimals (${rounding.mode}): ${rounded}`,
              source: reference,
            })
          }
          scope[target] = rounded
        }
      : body

    if (!when) return withRounding
    return (scope, trace) => {
      if (when(scope)) {
        withRounding(scope, trace)
      } else if (trace) {
        trace.push({
          step: id,
          kind: 'skip',
          message: stepMessage
            ? `Non applicato: ${stepMessage.it(scope)}`
            : `Step ${id} non applicato (condizione non soddisfatta)`,
          message_en: stepMessage
            ? `Not applied: ${stepMessage.en(scope)}`
            : `Step ${id} not applied (condition not met)`,
          source: reference,
        })
      }
    }
  }

  private compileOutput(
    name: string,
    out: { var: string; type: string; rounding?: Rounding }
  ): (scope: Scope, result: Record<string, ResultValue>, trace: Trace) => void {
    if (!out || typeof out.var !== 'string') throw new RuleSetError(this.where(`output "${name}" senza "var"`))
    const source = out.var
    const read = (scope: Scope) => (Object.prototype.hasOwnProperty.call(scope, source) ? scope[source] : null)
    switch (out.type) {
      case 'money': {
        const rounding = out.rounding ?? this.v.rounding ?? DEFAULT_ROUNDING
        const fastPath = rounding.decimals === 2
        return (scope, result, trace) => {
          const raw = read(scope)
          let value: string | null = null
          if (raw !== null && raw !== undefined) {
            if (fastPath && typeof raw === 'string' && MONEY_2.test(raw)) {
              // Already exactly two decimals (a table cell, a parameter): nothing to round.
              value = raw
            } else {
              const d = toDecimal(raw)
              if (d === null) throw new RuleSetError(this.where(`l'output "${name}" non è un importo: ${raw}`))
              value = roundToString(d, rounding)
            }
          }
          result[name] = value
          if (trace) {
            trace.push({
              step: 'output',
              kind: 'output',
              output: name,
              value,
              message: `${name} = ${value === null ? '—' : formatEur(value)} € (da ${source} = ${raw}, arrotondamento a ${rounding.decimals} decimali ${rounding.mode})`,
              message_en: `${name} = €${value ?? '—'} (from ${source} = ${raw}, rounded to ${rounding.decimals} decimals ${rounding.mode})`,
            })
          }
        }
      }
      case 'decimal':
        return (scope, result) => {
          const d = toDecimal(read(scope))
          result[name] = d === null ? null : d.toFixed()
        }
      case 'integer':
        return (scope, result) => {
          const raw = read(scope)
          result[name] = raw === null || raw === undefined ? null : Number(raw)
        }
      case 'boolean':
        return (scope, result) => {
          const raw = read(scope)
          result[name] = raw === null || raw === undefined ? null : Boolean(raw)
        }
      case 'text':
        return (scope, result) => {
          const raw = read(scope)
          result[name] = raw === null || raw === undefined ? null : String(raw)
        }
      default:
        throw new RuleSetError(this.where(`output "${name}": tipo "${out.type}" sconosciuto`))
    }
  }
}

const byObject = new WeakMap<RuleSetVersion, CompiledVersion>()
const byHash = new Map<string, CompiledVersion>()
const MAX_HASHED = 500

export function contentHash(rulesetId: string, version: RuleSetVersion): string {
  return createHash('sha256').update(rulesetId).update('\0').update(JSON.stringify(version)).digest('hex')
}

/** Compiles a version, reusing an earlier compilation of the same object or the same content. */
export function compileVersion(doc: Pick<RuleSetDocument, 'id'>, version: RuleSetVersion): CompiledVersion {
  const hit = byObject.get(version)
  if (hit && hit.ruleset === doc.id) return hit
  const hash = contentHash(doc.id, version)
  let compiled = byHash.get(hash)
  if (!compiled) {
    compiled = new VersionCompiler(doc.id, version).compile()
    if (byHash.size >= MAX_HASHED) byHash.delete(byHash.keys().next().value as string)
    byHash.set(hash, compiled)
  }
  byObject.set(version, compiled)
  return compiled
}
