/**
 * The fast path (generated facts check and generated pipeline, used when no trace is asked) must
 * be indistinguishable from the reference: Ajv for the facts, the closures for the results. These
 * properties hold the two together on every rule set shipped, on golden and random fact sets,
 * valid and invalid ones.
 */
import { test } from '@japa/runner'
import fc from 'fast-check'
import { compileVersion } from '../../../app/rules/compiler.js'
import { isTwoDecimalAmount } from '../../../app/rules/decimal.js'
import { evaluate } from '../../../app/rules/engine.js'
import { validateFacts } from '../../../app/rules/facts_schema.js'
import type { RuleSetDocument, RuleSetVersion } from '../../../app/rules/types.js'
import { cloneDoc, factsArbitrary, loadAllRuleSets, loadRuleSet } from './helpers.js'

type Schema = { type?: string | string[]; enum?: unknown[]; minimum?: number; maximum?: number; default?: unknown }

const amounts = [0, 3000, 3000.01, 4300, 4300.01, 9000, 9000.01, 27000, 27000.01]

/** A value for one fact: mostly plausible for its schema, sometimes of the wrong kind. */
function valueFor(schema: Schema): fc.Arbitrary<unknown> {
  const plausible: Array<fc.Arbitrary<unknown>> = [fc.constant(null), fc.boolean()]
  if (schema.enum) plausible.push(fc.constantFrom(...schema.enum))
  const min = schema.minimum ?? -3
  plausible.push(
    fc.integer({ min: min - 2, max: (schema.maximum ?? min + 30) + 2 }),
    fc.constantFrom(...amounts),
    fc.constantFrom(...amounts).map((n) => n.toFixed(2)),
    fc.integer({ min: 0, max: 3_000_000 }).map((c) => (c / 100).toString())
  )
  const odd: Array<fc.Arbitrary<unknown>> = [
    fc.string({ maxLength: 6 }),
    fc.constantFrom('4.300,00', '1e3', ' 12', '-5', '0.001', 'piacenza', ''),
    fc.double({ noDefaultInfinity: true, noNaN: true }),
    fc.constant([]),
    fc.constant({}),
  ]
  return fc.oneof({ weight: 6, arbitrary: fc.oneof(...plausible) }, { weight: 1, arbitrary: fc.oneof(...odd) })
}

/** Fact sets of any kind: mostly plausible, some missing facts, some wrong values or unknown facts. */
function noisyFacts(version: RuleSetVersion): fc.Arbitrary<Record<string, unknown>> {
  const properties = (version.facts_schema.properties ?? {}) as Record<string, Schema>
  const record: Record<string, fc.Arbitrary<unknown>> = {}
  for (const [name, schema] of Object.entries(properties)) {
    record[name] = fc.option(valueFor(schema), { nil: undefined, freq: 4 })
  }
  const extra = fc.option(fc.constantFrom('unknown_fact', 'Isee', 'toString'), { nil: undefined, freq: 8 })
  return fc.tuple(fc.record(record), extra).map(([r, key]) => {
    const facts = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))
    if (key) facts[key] = 1
    return facts
  })
}

/** Compares both paths on one fact set; returns what differs, or null. */
function difference(doc: RuleSetDocument, version: RuleSetVersion, facts: Record<string, unknown>): string | null {
  const compiled = compileVersion(doc, version)
  const slots = compiled.tryCheck(facts)
  const ajv = validateFacts(compiled.validate, facts)
  if ((slots !== null) !== ajv.ok) return `facts check says ${slots !== null}, Ajv says ${ajv.ok}`
  if (!slots || !ajv.ok) return null
  for (let i = 0; i < compiled.names.length; i++) {
    const name = compiled.names[i]
    const expected = Object.prototype.hasOwnProperty.call(ajv.facts, name) ? ajv.facts[name] : undefined
    if (!Object.is(slots[i], expected)) return `fact ${name}: ${String(slots[i])} instead of ${String(expected)}`
  }
  const outcome = (trace: [] | null) => {
    try {
      return JSON.stringify(compiled.run(slots.slice(), trace))
    } catch (error) {
      return `error ${(error as Error).message}`
    }
  }
  const fast = outcome(null)
  const closures = outcome([])
  return fast === closures ? null : `fast path ${fast}, closures ${closures}`
}

test.group('Rules engine | fast path agrees with the reference', () => {
  for (const { doc } of loadAllRuleSets()) {
    for (const version of doc.versions) {
      test(`${doc.id} v${version.version}: golden cases`, ({ assert }) => {
        for (const tc of version.tests ?? []) assert.isNull(difference(doc, version, tc.facts ?? {}), tc.name)
      })

      test(`${doc.id} v${version.version}: random fact sets, valid and invalid`, ({ assert }) => {
        let valid = 0
        fc.assert(
          fc.property(fc.oneof(factsArbitrary(version), noisyFacts(version)), (facts) => {
            const found = difference(doc, version, facts)
            if (found) throw new Error(`${found} on ${JSON.stringify(facts)}`)
            if (compileVersion(doc, version).tryCheck(facts)) valid++
          }),
          { numRuns: 400 }
        )
        assert.isAbove(valid, 100, 'enough random fact sets are valid to compare results')
      }).timeout(60000)
    }
  }

  test('the two-decimal amount check is the regular expression it replaces', () => {
    const pattern = /^-?\d+\.\d{2}$/
    const text = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.stringMatching(/^-?\d{0,4}\.?\d{0,3}$/),
      fc.constantFrom('5.69', '-0.50', '.50', '5.6', '5.690', '-', '12.3a', '1-2.30')
    )
    fc.assert(
      fc.property(text, (t) => {
        if (isTwoDecimalAmount(t) !== pattern.test(t)) throw new Error(JSON.stringify(t))
      }),
      { numRuns: 5000 }
    )
  })

  test('an output whose name is not a plain identifier still evaluates, on the closures', ({ assert }) => {
    const doc = cloneDoc(loadRuleSet('refezione.tariffa'))
    const version = doc.versions[doc.versions.length - 1]
    version.outputs = { 'importo-pasto': version.outputs.amount, 'fascia ISEE': version.outputs.band }
    const facts = { residence: 'piacenza', isee: '5000.00' }
    const plain = evaluate(doc, '2021-10-01', facts, { trace: false }).result
    assert.deepEqual(plain, evaluate(doc, '2021-10-01', facts).result)
    assert.deepEqual(plain, { 'importo-pasto': '3.43', 'fascia ISEE': 'ridotta' })
  })

  test('an output named __proto__ is refused when the version compiles', ({ assert }) => {
    const doc = cloneDoc(loadRuleSet('refezione.tariffa'))
    const version = doc.versions[doc.versions.length - 1]
    version.outputs = JSON.parse('{"__proto__": {"var": "band", "type": "text"}}')
    assert.throws(() => evaluate(doc, '2021-10-01', { residence: 'piacenza' }), /__proto__/)
  })
})
