/** Loads the default rule sets shipped in /rules for the rules engine tests. */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RuleSetDocument } from '../../../app/rules/types.js'

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
