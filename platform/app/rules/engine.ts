/**
 * The rules engine: evaluates a rule set "at" a date on a set of facts, returning the outputs
 * (amounts as decimal strings) and, on request, the trace that explains them.
 * Pure: no database, no HTTP. The lead wires it to storage, routes and the CLI.
 */
import { compileVersion, type CompiledVersion } from './compiler.js'
import { FactsValidationError, FormulaError, NoVersionInForceError, RuleSetError } from './errors.js'
import { pickVersion } from './version_picker.js'
import { factBoundsErrors } from './facts_schema.js'
import { unitsOf } from './units.js'
import type { Slots } from './fact_slots.js'
import type { EvaluateOptions, EvaluationResult, RuleSetDocument, RuleSetVersion, TraceEntry } from './types.js'

export { FactsValidationError, FormulaError, NoVersionInForceError, RuleSetError }
export { runTestCases, runTestCasesYielding } from './test_runner.js'
export { validateRuleSetDocument } from './validate_document.js'
export { pickVersion } from './version_picker.js'
export { isUnit, unitsOf } from './units.js'
export { UNITS } from './types.js'
export type * from './types.js'

/** The trace of an evaluation asked without one: shared, and frozen so nobody writes into it. */
const NO_TRACE = Object.freeze([]) as unknown as TraceEntry[]

/** Validates one fact set into the slots the pipeline runs on, or throws naming every wrong fact. */
function slotsOf(compiled: CompiledVersion, facts: Record<string, unknown>): Slots {
  if (typeof facts !== 'object' || facts === null || Array.isArray(facts)) {
    throw new FactsValidationError(compiled.ruleset, [
      { fact: '(facts)', message: 'i dati devono essere un oggetto', message_en: 'facts must be an object' },
    ])
  }
  const over = factBoundsErrors(compiled.version.facts_schema as Record<string, unknown>, facts)
  if (over.length > 0) throw new FactsValidationError(compiled.ruleset, over)
  const slots = compiled.tryCheck(facts)
  if (slots) return slots
  const checked = compiled.check(facts)
  throw new FactsValidationError(compiled.ruleset, checked.ok ? [] : checked.errors)
}

function versionEntry(compiled: CompiledVersion): TraceEntry {
  const v = compiled.version
  return {
    step: 'version',
    kind: 'value',
    value: v.version,
    message: `Regole "${compiled.ruleset}" versione ${v.version}, in vigore dal ${v.valid_from}${v.valid_to ? ` al ${v.valid_to}` : ''}`,
    message_en: `Rule set "${compiled.ruleset}" version ${v.version}, in force from ${v.valid_from}${v.valid_to ? ` to ${v.valid_to}` : ''}`,
  }
}

function runCompiled(
  compiled: CompiledVersion,
  at: string,
  facts: Record<string, unknown>,
  withTrace: boolean
): EvaluationResult {
  const slots = slotsOf(compiled, facts)
  const trace: TraceEntry[] | null = withTrace ? [versionEntry(compiled)] : null
  const result = compiled.run(slots, trace)
  const units = unitsOf(compiled.version, result)
  return { ruleset: compiled.ruleset, version: compiled.version.version, at, result, units, trace: trace ?? NO_TRACE }
}

/** Evaluates one given version (the test runner uses it to test each version on its own). */
export function evaluateVersion(
  doc: RuleSetDocument,
  version: RuleSetVersion,
  at: string,
  facts: Record<string, unknown>,
  opts: EvaluateOptions = {}
): EvaluationResult {
  return runCompiled(compileVersion(doc, version), at, facts, opts.trace !== false)
}

/** Evaluates the version in force at `at` (YYYY-MM-DD). The trace is built unless `trace: false`. */
export function evaluate(
  doc: RuleSetDocument,
  at: string,
  facts: Record<string, unknown>,
  opts: EvaluateOptions = {}
): EvaluationResult {
  const version = pickVersion(doc, at)
  return runCompiled(compileVersion(doc, version), at, facts, opts.trace !== false)
}

/**
 * Batch path: picks and compiles the version once, then evaluates every fact set. Pass
 * `trace: false` for bulk work (billing runs, simulations): no explanation is built.
 */
export function evaluateMany(
  doc: RuleSetDocument,
  at: string,
  facts: Array<Record<string, unknown>>,
  opts: EvaluateOptions = {}
): EvaluationResult[] {
  const compiled = compileVersion(doc, pickVersion(doc, at))
  if (opts.trace !== false) return facts.map((f) => runCompiled(compiled, at, f, true))
  const ruleset = compiled.ruleset
  const version = compiled.version.version
  return facts.map((f) => {
    const result = compiled.run(slotsOf(compiled, f), null)
    return { ruleset, version, at, result, units: unitsOf(compiled.version, result), trace: NO_TRACE }
  })
}
