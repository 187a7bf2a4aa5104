/**
 * Types of a rule set document: effective-dated JSON owned by a tenant (see DESIGN.md, "Rules
 * engine"). Everything a fee depends on (thresholds, table cells, percentages, the order in which
 * reductions combine) lives in the JSON with a `reference` to the tender article it comes from;
 * the engine only knows how to read it.
 */
import type { Condition, NamedConditions } from '../../shared/conditions.js'

export type { Condition, NamedConditions }

export interface LocalizedText {
  it: string
  en: string
}

export type RoundingMode =
  'ROUND_HALF_UP' | 'ROUND_HALF_EVEN' | 'ROUND_HALF_DOWN' | 'ROUND_UP' | 'ROUND_DOWN' | 'ROUND_CEIL' | 'ROUND_FLOOR'

export interface Rounding {
  decimals: number
  mode: RoundingMode
}

/** A constant amount, threshold or percentage, with the article it comes from. */
export interface Parameter {
  value: string | number
  reference: string
  label?: LocalizedText
}

/**
 * A tariff matrix stored exactly as printed in the tender: cells are decimal strings, one per
 * row and column, because the tender rounds each cell on its own.
 */
export interface Table {
  reference: string
  label?: LocalizedText
  rows: string[]
  columns: string[]
  cells: Record<string, Record<string, string>>
}

/**
 * A named formula. The expression grammar is arithmetic on decimals (+ - * / parentheses,
 * identifiers, numbers, min/max/round/floor/ceil/abs). An expression starting with `js:` is
 * plain JavaScript run in the isolated sandbox (explicit opt-in, inputs passed as strings).
 */
export interface Formula {
  expression: string
  reference: string
  label?: LocalizedText
}

/** Where a step takes its value from. Scalars are literals. */
export type ValueSource =
  | string
  | number
  | boolean
  | null
  | { var: string }
  | { param: string }
  | { formula: string }
  | { lookup: string; row: ValueSource; column?: ValueSource }

export interface StepCase {
  /** Name of the rule, shown in the trace ("isee_intera"). */
  rule: string
  /** Omitted on the last case: it is the fallback. */
  when?: Condition
  value: ValueSource
  /** Trace text; `{fact}` and `{fact|eur}` are replaced by values. */
  message?: LocalizedText
  /**
   * The same fact in plain words for families, one sentence, in the fee summary's reasons (see
   * summary.ts): `{fact}`, `{fact|money}` (an amount with its currency), `{fact|eur}`, `{fact|pct}`,
   * formatted in the reader's language. Cases without it add no reason.
   */
  explain?: LocalizedText
  reference?: string
}

export type ValueType = 'money' | 'decimal' | 'text' | 'boolean' | 'integer'

/**
 * One step of the pipeline: it sets one variable, either from `value` or from the first
 * matching case. Steps run in the listed order, so the order of reductions is part of the data.
 */
export interface Step {
  id: string
  set: string
  when?: Condition
  value?: ValueSource
  cases?: StepCase[]
  message?: LocalizedText
  /** A step with `value`: its reason for families, as `StepCase.explain`. */
  explain?: LocalizedText
  reference?: string
  /** Round the variable right after this step (otherwise only outputs are rounded). */
  round?: Rounding
}

/** What an amount is for: per meal, per day, per week, per month, per year, or once (a whole period). */
export const UNITS = ['meal', 'day', 'week', 'month', 'year', 'once'] as const
export type Unit = (typeof UNITS)[number]

/**
 * The unit of a money output: a unit, or `{ "output": "<name>" }`, a text output of the same
 * version whose value is the unit (the transport pass is per month or per year, as chosen).
 */
export type UnitSource = Unit | { output: string }

/** Labels of a text output's values, as forms write them: `{ "it": { "enum": { "ridotta": "Ridotta" } }, "en": ... }`. */
export type OutputLabels = Record<string, { enum?: Record<string, string> }>

export interface Output {
  'var': string
  'type': ValueType
  /** Money outputs: overrides the version's `rounding`. */
  'rounding'?: Rounding
  /** Required on money outputs (validateRuleSetDocument). */
  'unit'?: UnitSource
  /** Text outputs: the words a family reads for each value (a band's name). */
  'x-i18n'?: OutputLabels
}

/**
 * Which outputs the family summary reads. Each defaults to the output of that name when there is
 * one of the right type (`amount` money, `band` text, `exempt` boolean).
 */
export interface SummaryRoles {
  amount?: string
  band?: string
  exempt?: string
}

export interface TestCase {
  /** A full sentence saying what the case proves. */
  name: string
  at: string
  facts: Record<string, unknown>
  expected: Record<string, string | number | boolean | null>
  /** When set, evaluation must fail with an error whose name or message contains this text. */
  expected_error?: string
}

export interface RuleSetVersion {
  version: number
  valid_from: string
  valid_to: string | null
  /** What changed in this version, in the operator's words. */
  note?: LocalizedText
  facts_schema: Record<string, unknown>
  conditions?: NamedConditions
  parameters?: Record<string, Parameter>
  tables?: Record<string, Table>
  formulas?: Record<string, Formula>
  steps: Step[]
  outputs: Record<string, Output>
  summary?: SummaryRoles
  rounding?: Rounding
  /** Decisions taken where the tender is silent, with the reference they interpret. */
  interpretation?: Array<{ topic: string; decision: string; reference: string }>
  tests?: TestCase[]
}

export interface RuleSetDocument {
  id: string
  title: LocalizedText
  service: string
  description?: LocalizedText
  versions: RuleSetVersion[]
}

export type TraceKind = 'rule' | 'table' | 'formula' | 'parameter' | 'value' | 'skip' | 'round' | 'output'

/** One line of the explanation a back-office operator reads. */
export interface TraceEntry {
  step: string
  kind: TraceKind
  message: string
  message_en?: string
  rule?: string
  set?: string
  table?: string
  row?: string
  column?: string
  formula?: string
  expression?: string
  parameter?: string
  output?: string
  inputs?: Record<string, unknown>
  value?: string | number | boolean | null
  source?: string
}

export type ResultValue = string | number | boolean | null

export interface EvaluationResult {
  ruleset: string
  version: number
  at: string
  result: Record<string, ResultValue>
  /** The unit of each money output that has one (output name → unit). */
  units: Record<string, Unit>
  trace: TraceEntry[]
}

export interface EvaluateOptions {
  trace?: boolean
}

export interface FactError {
  fact: string
  message: string
  message_en: string
}
