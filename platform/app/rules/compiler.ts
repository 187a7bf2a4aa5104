/**
 * Compiles a rule set version once into closures (conditions, table lookups, formulas, outputs)
 * and caches the result by content hash, so that the single and the batch paths never re-read
 * the JSON. With `trace` off the closures build no explanation at all.
 *
 * Names are resolved here, once: every fact and step variable gets a slot in an array (see
 * fact_slots.ts), and the closures read and write slots by index.
 */
import { createHash } from 'node:crypto'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import {
  compileCondition,
  compileNamedConditions,
  ConditionError,
  type CompiledCondition,
  type Condition,
  type FactAccess,
  type Facts,
} from '../../shared/conditions.js'
import { Dec, isTwoDecimalAmount, roundToString, toDecimal } from './decimal.js'
import { FormulaError, RuleSetError } from './errors.js'
import { SlotReader, type SlotCheck, type Slots } from './fact_slots.js'
import { compileFactsSchema } from './facts_schema.js'
import { generateFastRun, type CellIndex } from './fast_path.js'
import { compileFormula, type CompiledFormula, type Scope } from './formula_sandbox.js'
import { compileLocalized, formatEur, type ValueReader } from './trace.js'
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
type ValueFn = (slots: Slots, trace: Trace, stepId: string) => unknown
type StepFn = (slots: Slots, trace: Trace) => void
/** Turns the variable an output reads (null when unset) into the output's value. */
type OutputConvert = (raw: unknown, trace: Trace) => ResultValue
interface CompiledOutput {
  name: string
  slot: number
  convert: OutputConvert
}

export interface CompiledVersion {
  ruleset: string
  version: RuleSetVersion
  validate: ValidateFunction
  /** The name held by each slot: the facts first, then the variables the steps set. */
  names: readonly string[]
  /** Validates facts (defaults applied) into fresh slots, or names every fact that is wrong. */
  check(facts: Record<string, unknown>): SlotCheck
  /** The hot path of `check`: the slots, or null when the facts break the schema. */
  tryCheck(facts: Record<string, unknown>): Slots | null
  /**
   * Runs the pipeline on the slots `check` returned (it writes into them); `observe` sees the
   * facts and variables, by name, before each step.
   */
  run(slots: Slots, trace: Trace, observe?: (stepId: string, scope: Scope) => void): Record<string, ResultValue>
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Decimals computed by a step are kept as plain decimal strings (serialisable); nothing is null. */
function normalise(value: unknown): unknown {
  if (value === undefined) return null
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
  /** Slot of each name; names first seen in a condition, formula or message get one too. */
  private readonly slots = new Map<string, number>()
  private readonly names: string[] = []
  private readonly access: FactAccess = (name) => {
    const i = this.slot(name)
    return (facts: Facts) => (facts as unknown as Slots)[i]
  }
  private readonly reader: ValueReader<Slots> = (name) => {
    const i = this.slot(name)
    return (slots) => slots[i]
  }

  constructor(
    private readonly rulesetId: string,
    private readonly v: RuleSetVersion
  ) {
    this.named = v.conditions ?? {}
  }

  private slot(name: string): number {
    let i = this.slots.get(name)
    if (i === undefined) {
      i = this.names.length
      this.slots.set(name, i)
      this.names.push(name)
    }
    return i
  }

  private readonly cellIndexes = new Map<string, CellIndex>()

  /** A table's cells by row and column, read once from the JSON (own keys only). */
  private cells(name: string): CellIndex {
    let index = this.cellIndexes.get(name)
    if (!index) {
      const cells = this.v.tables![name].cells
      index = new Map(Object.entries(cells).map(([row, columns]) => [row, new Map(Object.entries(columns))]))
      this.cellIndexes.set(name, index)
    }
    return index
  }

  private missingCell(table: string, row: string, column: string): RuleSetError {
    return new RuleSetError(this.where(`la tabella "${table}" non ha la cella riga "${row}", colonna "${column}"`))
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
    const factList = Object.keys((v.facts_schema.properties as object | undefined) ?? {})
    const factNames = new Set(factList)
    for (const name of factList) this.slot(name)

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

    try {
      // Every named condition compiles, even one no step uses yet: a typo is found on publish.
      compileNamedConditions(this.named, this.access)
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

    const fast = generateFastRun({
      facts: factList.length,
      steps: v.steps,
      named: this.named,
      outputs,
      slot: (name) => this.slot(name),
      param: (name) => (this.constants[name] as InstanceType<typeof Dec>).toFixed(),
      formula: (source) => this.compileValue(source, 'formula'),
      table: (name) => this.v.tables![name],
      cells: (name) => this.cells(name),
      missingCell: (table, row, column) => this.missingCell(table, row, column),
    })
    const names = this.names
    const reader = new SlotReader(validate, v.facts_schema, factList, names.length)
    return {
      ruleset: this.rulesetId,
      version: v,
      validate,
      names,
      check: (facts) => reader.read(facts),
      tryCheck: (facts) => reader.tryRead(facts),
      run(slots, trace, observe) {
        if (fast && !trace && !observe) return fast(slots)
        for (const step of steps) {
          if (observe) observe(step.id, SlotReader.toRecord(slots, names))
          step.run(slots, trace)
        }
        const result: Record<string, ResultValue> = {}
        for (const output of outputs) result[output.name] = output.convert(slots[output.slot] ?? null, trace)
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
      return compileCondition(condition, this.named, this.access)
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
      const i = this.slot(source.var)
      return (slots) => {
        const value = slots[i]
        return value === undefined ? null : value
      }
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
      const inputSlots = formula.inputs.map((id) => [id, this.slot(id)] as const)
      return (slots, trace, stepId) => {
        const scope: Scope = {}
        for (const [id, i] of inputSlots) if (slots[i] !== undefined) scope[id] = slots[i]
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
      const cells = this.cells(name)
      return (slots, trace, stepId) => {
        const row = String(rowFn(slots, null, stepId))
        const column = String(columnFn(slots, null, stepId))
        const value = cells.get(row)?.get(column)
        if (value === undefined) throw this.missingCell(name, row, column)
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
    const at = this.slot(target)
    const when = step.when ? this.condition(step.when, `step "${id}", when`) : null
    const rounding = step.round ?? null
    const stepMessage = compileLocalized(step.message, this.reader)
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
          message: compileLocalized(c.message, this.reader),
          reference: c.reference ?? reference,
        }
      })
      body = (slots, trace) => {
        for (const c of cases) {
          if (c.when && !c.when(slots as unknown as Facts)) continue
          let entry: TraceEntry | null = null
          if (trace) {
            entry = {
              step: id,
              kind: 'rule',
              rule: c.rule,
              set: target,
              message: c.message ? c.message.it(slots) : `Regola ${c.rule}`,
              message_en: c.message ? c.message.en(slots) : `Rule ${c.rule}`,
              source: c.reference,
            }
            trace.push(entry)
          }
          const value = normalise(c.value(slots, trace, id))
          slots[at] = value
          if (entry) entry.value = render(value)
          return
        }
        slots[at] = null
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
      body = (slots, trace) => {
        const value = normalise(valueFn(slots, trace, id))
        slots[at] = value
        if (trace && (stepMessage || !tracesItself)) {
          trace.push({
            step: id,
            kind: 'value',
            set: target,
            value: render(value),
            message: stepMessage ? stepMessage.it(slots) : `${target} = ${render(value)}`,
            message_en: stepMessage ? stepMessage.en(slots) : `${target} = ${render(value)}`,
            source: reference,
          })
        }
      }
    } else {
      throw new RuleSetError(this.where(`lo step "${id}" deve avere "value" o "cases"`))
    }

    const withRounding: StepFn = rounding
      ? (slots, trace) => {
          body(slots, trace)
          const d = toDecimal(slots[at])
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
          slots[at] = rounded
        }
      : body

    if (!when) return withRounding
    return (slots, trace) => {
      if (when(slots as unknown as Facts)) {
        withRounding(slots, trace)
      } else if (trace) {
        trace.push({
          step: id,
          kind: 'skip',
          message: stepMessage
            ? `Non applicato: ${stepMessage.it(slots)}`
            : `Step ${id} non applicato (condizione non soddisfatta)`,
          message_en: stepMessage
            ? `Not applied: ${stepMessage.en(slots)}`
            : `Step ${id} not applied (condition not met)`,
          source: reference,
        })
      }
    }
  }

  private compileOutput(name: string, out: { var: string; type: string; rounding?: Rounding }): CompiledOutput {
    if (!out || typeof out.var !== 'string') throw new RuleSetError(this.where(`output "${name}" senza "var"`))
    if (name === '__proto__') throw new RuleSetError(this.where('"__proto__" non può essere il nome di un output'))
    const source = out.var
    const slot = this.slot(source)
    const compiled = (convert: OutputConvert): CompiledOutput => ({ name, slot, convert })
    switch (out.type) {
      case 'money': {
        const rounding = out.rounding ?? this.v.rounding ?? DEFAULT_ROUNDING
        const fastPath = rounding.decimals === 2
        return compiled((raw, trace) => {
          let value: string | null = null
          if (raw !== null) {
            if (fastPath && typeof raw === 'string' && isTwoDecimalAmount(raw)) {
              // Already exactly two decimals (a table cell, a parameter): nothing to round.
              value = raw
            } else {
              const d = toDecimal(raw)
              if (d === null) throw new RuleSetError(this.where(`l'output "${name}" non è un importo: ${raw}`))
              value = roundToString(d, rounding)
            }
          }
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
          return value
        })
      }
      case 'decimal':
        return compiled((raw) => {
          const d = toDecimal(raw)
          return d === null ? null : d.toFixed()
        })
      case 'integer':
        return compiled((raw) => (raw === null ? null : Number(raw)))
      case 'boolean':
        return compiled((raw) => (raw === null ? null : Boolean(raw)))
      case 'text':
        return compiled((raw) => (raw === null ? null : String(raw)))
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
