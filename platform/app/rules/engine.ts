/**
 * The rules engine: evaluates a rule set "at" a date on a set of facts, returning the outputs
 * (amounts as decimal strings) and, on request, the trace that explains them.
 * Pure: no database, no HTTP. The lead wires it to storage, routes and the CLI.
 */
import { compileVersion, type CompiledVersion } from './compiler.js'
import { FactsValidationError, FormulaError, NoVersionInForceError, RuleSetError } from './errors.js'
import { validateFacts } from './facts_schema.js'
import { pickVersion } from './version_picker.js'
import type { EvaluateOptions, EvaluationResult, RuleSetDocument, RuleSetVersion, TraceEntry } from './types.js'

export { FactsValidationError, FormulaError, NoVersionInForceError, RuleSetError }
export { runTestCases } from './test_runner.js'
export { validateRuleSetDocument } from './validate_document.js'
export { pickVersion } from './version_picker.js'
export type * from './types.js'

function runCompiled(
  compiled: CompiledVersion,
  at: string,
  facts: Record<string, unknown>,
  withTrace: boolean
): EvaluationResult {
  if (typeof facts !== 'object' || facts === null || Array.isArray(facts)) {
    throw new FactsValidationError(compiled.ruleset, [
      { fact: '(facts)', message: 'i dati devono essere un oggetto', message_en: 'facts must be an object' },
    ])
  }
  const checked = validateFacts(compiled.validate, facts)
  if (!checked.ok) throw new FactsValidationError(compiled.ruleset, checked.errors)
  const trace: TraceEntry[] | null = withTrace ? [] : null
  if (trace) {
    trace.push({
      step: 'version',
      kind: 'value',
      value: compiled.version.version,
      message: `Regole "${compiled.ruleset}" versione ${compiled.version.version}, in vigore dal ${compiled.version.valid_from}${compiled.version.valid_to ? ` al ${compiled.version.valid_to}` : ''}`,
      message_en: `Rule set "${compiled.ruleset}" version ${compiled.version.version}, in force from ${compiled.version.valid_from}${compiled.version.valid_to ? ` to ${compiled.version.valid_to}` : ''}`,
    })
  }
  const result = compiled.run(checked.facts, trace)
  return { ruleset: compiled.ruleset, version: compiled.version.version, at, result, trace: trace ?? [] }
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
  const withTrace = opts.trace !== false
  const out = new Array<EvaluationResult>(facts.length)
  for (let i = 0; i < facts.length; i++) out[i] = runCompiled(compiled, at, facts[i], withTrace)
  return out
}
