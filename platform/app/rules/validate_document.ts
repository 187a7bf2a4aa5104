/**
 * Structural check of a rule set document before it is published: shape, dates, periods that do
 * not overlap, a `reference` on every constant, and a full compilation of every version
 * (facts schema, conditions, tables, formulas, steps, outputs). Golden cases are not run here:
 * `runTestCases` does that.
 */
import { compileVersion } from './compiler.js'
import { isIsoDate } from './version_picker.js'
import { unitProblems } from './units.js'
import { summaryProblems } from './summary.js'
import type { RuleSetVersion } from './types.js'

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isLocalized(value: unknown): boolean {
  return isObject(value) && typeof value.it === 'string' && typeof value.en === 'string'
}

export function validateRuleSetDocument(doc: unknown): { ok: true } | { ok: false; errors: string[] } {
  const errors: string[] = []
  if (!isObject(doc)) return { ok: false, errors: ['Il documento deve essere un oggetto JSON.'] }
  if (typeof doc.id !== 'string' || !/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/.test(doc.id)) {
    errors.push('"id" deve essere un identificativo come "<servizio>.tariffa".')
  }
  if (!isLocalized(doc.title)) errors.push('"title" deve avere il testo in italiano ("it") e in inglese ("en").')
  if (typeof doc.service !== 'string' || doc.service.length === 0) errors.push('"service" è obbligatorio.')
  if (!Array.isArray(doc.versions) || doc.versions.length === 0) {
    errors.push('"versions" deve contenere almeno una versione.')
    return { ok: false, errors }
  }
  const seen = new Set<number>()
  const periods: Array<{ version: number; from: string; to: string | null }> = []
  doc.versions.forEach((raw: unknown, index: number) => {
    const label = `versione #${index + 1}`
    if (!isObject(raw)) {
      errors.push(`${label}: deve essere un oggetto.`)
      return
    }
    const v = raw as unknown as RuleSetVersion
    if (!Number.isInteger(v.version) || v.version < 1) errors.push(`${label}: "version" deve essere un intero >= 1.`)
    else if (seen.has(v.version)) errors.push(`${label}: il numero di versione ${v.version} è ripetuto.`)
    else seen.add(v.version)
    if (!isIsoDate(v.valid_from)) errors.push(`${label}: "valid_from" deve essere una data AAAA-MM-GG.`)
    if (v.valid_to !== null && !isIsoDate(v.valid_to)) {
      errors.push(`${label}: "valid_to" deve essere null o una data AAAA-MM-GG.`)
    } else if (v.valid_to !== null && isIsoDate(v.valid_from) && v.valid_to < v.valid_from) {
      errors.push(`${label}: "valid_to" precede "valid_from".`)
    }
    if (isIsoDate(v.valid_from)) periods.push({ version: v.version, from: v.valid_from, to: v.valid_to })
    for (const [kind, items] of [
      ['parametro', v.parameters],
      ['tabella', v.tables],
      ['formula', v.formulas],
    ] as const) {
      for (const [name, item] of Object.entries((items as Record<string, { reference?: unknown }>) ?? {})) {
        if (typeof item?.reference !== 'string' || item.reference.trim().length === 0) {
          errors.push(`${label}: ${kind} "${name}" senza "reference" (l'articolo da cui proviene).`)
        }
      }
    }
    if (v.tests !== undefined) {
      if (!Array.isArray(v.tests)) errors.push(`${label}: "tests" deve essere una lista.`)
      else {
        v.tests.forEach((tc, i) => {
          if (typeof tc?.name !== 'string' || tc.name.trim().split(/\s+/).length < 3) {
            errors.push(`${label}, test #${i + 1}: "name" deve essere una frase completa.`)
          }
          if (!isIsoDate(tc?.at)) errors.push(`${label}, test #${i + 1}: "at" deve essere una data AAAA-MM-GG.`)
          if (!isObject(tc?.facts)) errors.push(`${label}, test #${i + 1}: "facts" deve essere un oggetto.`)
          if (!isObject(tc?.expected) && typeof tc?.expected_error !== 'string') {
            errors.push(`${label}, test #${i + 1}: serve "expected" (oggetto) o "expected_error".`)
          }
        })
      }
    }
    errors.push(...unitProblems(v, label), ...summaryProblems(v, label))
    try {
      compileVersion({ id: String(doc.id) }, v)
    } catch (error) {
      errors.push(`${label}: ${(error as Error).message}`)
    }
  })
  periods.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
  for (let i = 1; i < periods.length; i++) {
    const prev = periods[i - 1]
    if (prev.to === null || prev.to >= periods[i].from) {
      errors.push(
        `Le versioni ${prev.version} e ${periods[i].version} si sovrappongono: chiudere la prima (valid_to) prima del ${periods[i].from}.`
      )
    }
  }
  return errors.length === 0 ? { ok: true } : { ok: false, errors }
}
