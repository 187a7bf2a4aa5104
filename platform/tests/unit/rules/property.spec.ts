/**
 * Property-based check that the compiled closures decide every condition exactly as
 * json-rules-engine itself does, on the golden cases and on random facts, for every rule set.
 * The scope given to both is the one each step sees (facts plus the variables computed so far).
 */
import { test } from '@japa/runner'
import fc from 'fast-check'
import { Engine } from 'json-rules-engine'
import { compileCondition, type Condition } from '../../../shared/conditions.js'
import { compileVersion } from '../../../app/rules/compiler.js'
import type { RuleSetDocument, RuleSetVersion } from '../../../app/rules/types.js'
import { factsArbitrary, loadAllRuleSets } from './helpers.js'

interface Checked {
  id: string
  condition: Condition
}

/** Every condition of a version: named ones, step guards and case guards. */
function conditionsOf(version: RuleSetVersion): Checked[] {
  const out: Checked[] = Object.keys(version.conditions ?? {}).map((name) => ({
    id: `named:${name}`,
    condition: { condition: name },
  }))
  for (const step of version.steps) {
    if (step.when) out.push({ id: `${step.id}:when`, condition: step.when })
    for (const c of step.cases ?? []) if (c.when) out.push({ id: `${step.id}:${c.rule}`, condition: c.when })
  }
  return out
}

/** json-rules-engine wants all/any/not/condition at the root: a leaf is wrapped in `all`. */
const rooted = (c: Condition): Condition =>
  'all' in c || 'any' in c || 'not' in c || 'condition' in c ? c : { all: [c] }

function referenceEngine(version: RuleSetVersion, checked: Checked[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true })
  for (const [name, condition] of Object.entries(version.conditions ?? {})) {
    // The library's TypeScript types are narrower than the JSON it accepts; the shape is the same.
    engine.setCondition(name, rooted(condition) as never)
  }
  for (const { id, condition } of checked) {
    engine.addRule({ name: id, conditions: rooted(condition) as never, event: { type: id } })
  }
  return engine
}

/** Counts the random fact sets that passed the schema, so a generator that never does is caught. */
let comparedRuns = 0

async function compareOn(
  doc: RuleSetDocument,
  version: RuleSetVersion,
  facts: Record<string, unknown>
): Promise<string[]> {
  const compiled = compileVersion(doc, version)
  const checkedFacts = compiled.check(facts)
  if (!checkedFacts.ok) return []
  comparedRuns++
  const checked = conditionsOf(version)
  const ours = checked.map((c) => ({ id: c.id, fn: compileCondition(c.condition, version.conditions ?? {}) }))
  const engine = referenceEngine(version, checked)
  const scopes: Array<Record<string, unknown>> = []
  try {
    compiled.run(checkedFacts.slots, null, (_step, scope) => scopes.push(scope))
  } catch {
    // A failing formula ends the pipeline; the scopes seen so far are still compared.
  }
  const mismatches: string[] = []
  for (const scope of scopes) {
    const { events } = await engine.run(scope)
    const fired = new Set(events.map((e) => e.type))
    for (const { id, fn } of ours) {
      if (fn(scope) !== fired.has(id)) mismatches.push(`${id} on ${JSON.stringify(scope)}`)
    }
  }
  return mismatches
}

test.group('Conditions | same decisions as json-rules-engine', () => {
  for (const { doc } of loadAllRuleSets()) {
    for (const version of doc.versions) {
      test(`${doc.id} v${version.version}: golden cases decide every condition like json-rules-engine`, async ({
        assert,
      }) => {
        for (const tc of version.tests ?? []) {
          assert.deepEqual(await compareOn(doc, version, tc.facts), [], tc.name)
        }
      })

      test(`${doc.id} v${version.version}: random facts decide every condition like json-rules-engine`, async ({
        assert,
      }) => {
        comparedRuns = 0
        await fc.assert(
          fc.asyncProperty(factsArbitrary(version), async (facts) => {
            const mismatches = await compareOn(doc, version, facts)
            if (mismatches.length > 0) throw new Error(mismatches.slice(0, 3).join('\n'))
          }),
          { numRuns: 150 }
        )
        assert.isAbove(comparedRuns, 75, 'most random fact sets are valid and compared')
      }).timeout(60000)
    }
  }
})
