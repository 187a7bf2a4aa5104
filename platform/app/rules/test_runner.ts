/**
 * Runs a rule set's own golden cases (`{ name, at, facts, expected }`, stored in each version):
 * one runner for all of them, used by the unit tests and by the designer before publishing.
 */
import { compileVersion } from './compiler.js'
import { FactsValidationError } from './errors.js'
import { isInForce } from './version_picker.js'
import type { ResultValue, RuleSetDocument, RuleSetVersion, TestCase } from './types.js'

export interface TestCaseOutcome {
  name: string
  version: number
  ok: boolean
  expected: object
  actual: object
  /** One line per output that differs: `amount: expected "5.12", got "5.69"`. */
  diffs: string[]
  error?: string
}

export interface TestRunReport {
  passed: number
  failed: number
  cases: TestCaseOutcome[]
}

function runCase(doc: RuleSetDocument, version: RuleSetVersion, tc: TestCase): TestCaseOutcome {
  const base = { name: tc.name, version: version.version, expected: tc.expected ?? {} }
  if (!isInForce(version, tc.at)) {
    return {
      ...base,
      ok: false,
      actual: {},
      diffs: [],
      error: `la data ${tc.at} non rientra nel periodo della versione ${version.version}`,
    }
  }
  let actual: Record<string, ResultValue>
  try {
    const compiled = compileVersion(doc, version)
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
  return { ...base, ok: diffs.length === 0, actual, diffs }
}

/** Runs the golden cases of one version, or of every version when `version` is omitted. */
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
