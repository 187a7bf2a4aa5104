/** Loads the default rule sets shipped in /rules for the rules engine tests. */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import type { RuleSetDocument, RuleSetVersion } from '../../../app/rules/types.js'

export const RULES_DIR = fileURLToPath(new URL('../../../../rules/', import.meta.url))

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return walk(path)
    return name.endsWith('.json') && name !== 'package.json' ? [path] : []
  })
}

export function loadAllRuleSets(): Array<{ file: string; doc: RuleSetDocument }> {
  return walk(RULES_DIR)
    .sort()
    .map((file) => ({ file, doc: JSON.parse(readFileSync(file, 'utf8')) as RuleSetDocument }))
}

export function loadRuleSet(id: string): RuleSetDocument {
  const found = loadAllRuleSets().find((entry) => entry.doc.id === id)
  if (!found) throw new Error(`Rule set ${id} not found in ${RULES_DIR}`)
  return found.doc
}

/** A fresh deep copy, for tests that modify a document. */
export function cloneDoc(doc: RuleSetDocument): RuleSetDocument {
  return structuredClone(doc)
}

const cents = fc.integer({ min: 0, max: 6_000_000 })
const boundaries = [0, 3000, 3000.01, 4300, 4300.01, 9000, 9000.01, 26000, 26000.01, 27000, 27000.01]
const amount = fc.oneof(
  cents.map((c) => c / 100),
  cents.map((c) => (c / 100).toFixed(2)),
  fc.constantFrom(...boundaries),
  fc.constantFrom(...boundaries).map((b) => b.toFixed(2))
)

type Schema = { type?: string | string[]; enum?: unknown[]; minimum?: number; maximum?: number }

function arbitraryFor(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum)
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  if (types.includes('boolean')) return fc.boolean()
  if (types.includes('string') && types.includes('number')) {
    return types.includes('null') ? fc.option(amount, { nil: null }) : amount
  }
  if (types.includes('integer')) {
    const min = schema.minimum ?? 0
    const int = fc.integer({ min, max: schema.maximum ?? min + 25 })
    return types.includes('null') ? fc.option(int, { nil: null }) : int
  }
  return fc.constant(null)
}

/** Fact sets that mostly pass a version's schema (optional facts sometimes left out). */
export function factsArbitrary(version: RuleSetVersion): fc.Arbitrary<Record<string, unknown>> {
  const properties = (version.facts_schema.properties ?? {}) as Record<string, Schema>
  const required = new Set((version.facts_schema.required ?? []) as string[])
  const record: Record<string, fc.Arbitrary<unknown>> = {}
  for (const [name, schema] of Object.entries(properties)) {
    // Optional facts are sometimes left out, so that schema defaults are exercised too.
    record[name] = required.has(name) ? arbitraryFor(schema) : fc.option(arbitraryFor(schema), { nil: undefined })
  }
  return fc.record(record).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)))
}
