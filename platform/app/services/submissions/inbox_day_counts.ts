import { DateTime } from 'luxon'

/**
 * The inbox's counts under dates or a school year from the per-day counters (migration 0037): the
 * range of sending days the filters leave, split into whole days of the counters and the parts of
 * days at its ends, which are counted from the applications' index.
 *
 * A range is given by Italian days, lower inclusive and upper exclusive (both Italian midnights).
 * On PostgreSQL the counters' days are Italian days: the range is whole days. On SQLite they are
 * the date part of the stored text, written in the process's zone like the filters' bounds: an
 * Italian midnight that is not a midnight there leaves a part of a day at that end.
 */
export interface DayPlan {
  /** The counters' days to sum, from `first` (inclusive) to `end` (exclusive), null where open; null: none. */
  days: { first: string | null; end: string | null } | null
  /** Parts of days at the ends, [from, to) in the stored representation of `submitted_at`. */
  edges: Array<[string, string]>
  /** The range holds no day: every count is 0. */
  empty: boolean
}

/** The lower (inclusive) and upper (exclusive) Italian days of the filters' range; null where open. */
export function sendingRange(filters: { from: string | null; to: string | null; schoolYear: string | null }) {
  const lowers: string[] = []
  const uppers: string[] = []
  if (filters.from) lowers.push(filters.from)
  if (filters.to) uppers.push(DateTime.fromISO(filters.to).plus({ days: 1 }).toISODate()!)
  if (filters.schoolYear) {
    // Applications for a school year are sent from 1 March to the end of February (enrolment_service.ts).
    const start = Number(filters.schoolYear.slice(0, 4))
    lowers.push(`${start}-03-01`)
    uppers.push(`${start + 1}-03-01`)
  }
  return {
    lower: lowers.length ? lowers.sort()[lowers.length - 1] : null,
    upper: uppers.length ? uppers.sort()[0] : null,
  }
}

/**
 * Plans the sums for a range of Italian days. `stored` writes an Italian midnight as the database
 * stores `submitted_at` on SQLite (null on PostgreSQL, whose counters count Italian days).
 */
export function planDays(
  range: { lower: string | null; upper: string | null },
  stored: ((day: string) => string) | null
): DayPlan {
  if (range.lower && range.upper && range.lower >= range.upper) {
    return { days: null, edges: [], empty: true }
  }
  if (!stored) return { days: { first: range.lower, end: range.upper }, edges: [], empty: false }
  const edges: Array<[string, string]> = []
  let firstDay: string | null = null
  let endDay: string | null = null
  const midnight = (day: string) => `${day} 00:00:00`
  const nextDay = (day: string) => DateTime.fromISO(day).plus({ days: 1 }).toISODate()!
  const lowerAt = range.lower ? stored(range.lower) : null
  const upperAt = range.upper ? stored(range.upper) : null
  if (lowerAt) {
    const day = lowerAt.slice(0, 10)
    if (lowerAt === midnight(day)) firstDay = day
    else {
      firstDay = nextDay(day)
      edges.push([lowerAt, midnight(firstDay)])
    }
  }
  if (upperAt) {
    const day = upperAt.slice(0, 10)
    endDay = day
    if (upperAt !== midnight(day)) edges.push([midnight(day), upperAt])
  }
  // A range within a day or two of the stored zone: no whole day between its ends, counted whole.
  if (lowerAt && upperAt && firstDay! >= endDay!) {
    return { days: null, edges: [[lowerAt, upperAt]], empty: false }
  }
  return { days: { first: firstDay, end: endDay }, edges, empty: false }
}
