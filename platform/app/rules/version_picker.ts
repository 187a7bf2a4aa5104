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

/** The day after an ISO date. */
function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

/**
 * The versions in force from `from` to `to` (both included) as consecutive periods: a period starts
 * at `from` and at every start (or day after an end) of a version that falls inside, so a tariff
 * that changes mid-month gives two periods. `version` is null where no version is in force. Linear
 * in the versions.
 */
export function rulePeriods(
  doc: RuleSetDocument,
  from: string,
  to: string
): Array<{ from: string; to: string; version: number | null }> {
  if (!isIsoDate(from) || !isIsoDate(to) || to < from) return []
  const starts = new Set<string>([from])
  for (const version of doc.versions) {
    if (version.valid_from > from && version.valid_from <= to) starts.add(version.valid_from)
    if (version.valid_to !== null && version.valid_to >= from && version.valid_to < to)
      starts.add(nextDay(version.valid_to))
  }
  const sorted = [...starts].sort()
  const periods: Array<{ from: string; to: string; version: number | null }> = []
  sorted.forEach((start, i) => {
    const end = i + 1 < sorted.length ? previousDay(sorted[i + 1]) : to
    let version: number | null = null
    try {
      version = pickVersion(doc, start).version
    } catch (error) {
      if (!(error instanceof NoVersionInForceError)) throw error
    }
    const last = periods[periods.length - 1]
    if (last && last.version === version) last.to = end
    else periods.push({ from: start, to: end, version })
  })
  return periods
}

function previousDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}
