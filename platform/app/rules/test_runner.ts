/**
 * Runs a rule set's own golden cases (`{ name, at, facts, expected }`, stored in each version):
 * one runner for all of them, used by the unit tests and by the designer before publishing.
 *
 * A case is a fact about the law at a date: it runs at its own `at` against the version in force
 * then, whichever version carries it. A new version from a date therefore leaves the cases of
 * earlier dates alone (copied into it or not), and the cases dated after its start check it.
 */
import { compileVersion } from './compiler.js'
import { FactsValidationError } from './errors.js'
import { isInForce } from './version_picker.js'
import type { ResultValue, RuleSetDocument, RuleSetVersion, TestCase, TraceEntry } from './types.js'

export interface TestCaseOutcome {
  name: string
  /** The version the case ran against: the one in force at its `at`. */
  version: number
  /** The version whose cases list holds it. */
  declared_in: number
  at: string
  ok: boolean
  expected: object
  actual: object
  /** One line per output that differs: `amount: expected "5.12", got "5.69"`. */
  diffs: string[]
  error?: string
  /** A failing case that computed a result: the engine's trace of it. */
  trace?: TraceEntry[]
}

export interface TestRunReport {
  passed: number
  failed: number
  cases: TestCaseOutcome[]
}

/** The version in force at `at` (the latest start wins, as pickVersion), or null. */
function inForceAt(doc: RuleSetDocument, at: string): RuleSetVersion | null {
  let best: RuleSetVersion | null = null
  for (const v of doc.versions) {
    if (!isInForce(v, at)) continue
    if (!best || v.valid_from > best.valid_from || (v.valid_from === best.valid_from && v.version > best.version)) {
      best = v
    }
  }
  return best
}

function runCase(doc: RuleSetDocument, carrier: RuleSetVersion, tc: TestCase): TestCaseOutcome {
  const version = inForceAt(doc, tc.at)
  const base = {
    name: tc.name,
    version: version?.version ?? carrier.version,
    declared_in: carrier.version,
    at: tc.at,
    expected: tc.expected ?? {},
  }
  if (!version) {
    return {
      ...base,
      ok: false,
      actual: {},
      diffs: [],
      error: `nessuna versione in vigore il ${tc.at}`,
    }
  }
  let actual: Record<string, ResultValue>
  let compiled: ReturnType<typeof compileVersion>
  try {
    compiled = compileVersion(doc, version)
    const checked = compiled.check(tc.facts ?? {})
    if (!checked.ok) throw new FactsValidationError(doc.id, checked.errors)
    actual = compiled.run(checked.slots, null)
  } catch (error) {
    const err = error as Error
    const text = `${err.name}: ${err.message}`
    if (tc.expected_error && text.includes(tc.expected_error)) {
      return { ...base, ok: true, actual: { error: text }, diffs: [] }
    }
    return { ...base, ok: false, actual: { error: text }, diffs: [], error: text }
  }
  if (tc.expected_error) {
    return {
      ...base,
      ok: false,
      actual,
      diffs: [`atteso errore "${tc.expected_error}", ottenuto un risultato`],
    }
  }
  const diffs: string[] = []
  for (const [key, want] of Object.entries(tc.expected ?? {})) {
    const got = Object.prototype.hasOwnProperty.call(actual, key) ? actual[key] : undefined
    if (got !== want) diffs.push(`${key}: atteso ${JSON.stringify(want)}, ottenuto ${JSON.stringify(got)}`)
  }
  if (diffs.length === 0) return { ...base, ok: true, actual, diffs }
  // A failing case carries the trace of its run, for the person who reads why it fails.
  const trace: TraceEntry[] = []
  const checked = compiled.check(tc.facts ?? {})
  if (checked.ok) compiled.run(checked.slots, trace)
  return { ...base, ok: false, actual, diffs, trace }
}

/** Runs the golden cases declared in one version, or in every version when `version` is omitted. */
export function runTestCases(doc: RuleSetDocument, version?: number): TestRunReport {
  const versions = version === undefined ? doc.versions : doc.versions.filter((v) => v.version === version)
  const cases: TestCaseOutcome[] = []
  for (const v of versions) for (const tc of v.tests ?? []) cases.push(runCase(doc, v, tc))
  const passed = cases.filter((c) => c.ok).length
  return { passed, failed: cases.length - passed, cases }
}

/**
 * The same run for request handlers: it gives way to other requests between cases, so that
 * publishing a rule set with many versions and cases never holds the event loop for long.
 */
export async function runTestCasesYielding(doc: RuleSetDocument, version?: number): Promise<TestRunReport> {
  const versions = version === undefined ? doc.versions : doc.versions.filter((v) => v.version === version)
  const cases: TestCaseOutcome[] = []
  for (const v of versions) {
    for (const tc of v.tests ?? []) {
      await new Promise((resolve) => setImmediate(resolve))
      cases.push(runCase(doc, v, tc))
    }
  }
  const passed = cases.filter((c) => c.ok).length
  return { passed, failed: cases.length - passed, cases }
}
