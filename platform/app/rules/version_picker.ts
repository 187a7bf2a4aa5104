/**
 * Picks the version of a rule set in force at a date: valid_from <= at <= valid_to, both ends
 * included, valid_to null = still in force. A change of rule is a new dated version, so a past
 * date keeps giving the past result.
 */
import { NoVersionInForceError } from './errors.js'
import type { RuleSetDocument, RuleSetVersion } from './types.js'

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

export function isInForce(version: RuleSetVersion, at: string): boolean {
  // ISO dates compare correctly as strings.
  return version.valid_from <= at && (version.valid_to === null || at <= version.valid_to)
}

export function pickVersion(doc: RuleSetDocument, at: string): RuleSetVersion {
  if (!isIsoDate(at)) {
    throw new RangeError(`La data "${at}" non è valida: usare il formato AAAA-MM-GG, per esempio 2021-10-01.`)
  }
  let best: RuleSetVersion | null = null
  for (const version of doc.versions) {
    if (!isInForce(version, at)) continue
    // Overlaps are refused when publishing; if one slips through, the latest start wins.
    if (
      !best ||
      version.valid_from > best.valid_from ||
      (version.valid_from === best.valid_from && version.version > best.version)
    ) {
      best = version
    }
  }
  if (!best) throw new NoVersionInForceError(doc.id, at)
  return best
}
