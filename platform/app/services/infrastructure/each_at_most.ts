/**
 * Runs `work` on each item, at most `limit` at once (a limit that is not a positive whole number
 * counts as 1), starting them in order. After a failure no further item starts; the ones under
 * way are waited for, so nothing is left running behind the caller, then the first failure is thrown.
 */
export async function eachAtMost<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const lanes = Math.min(items.length, Number.isSafeInteger(limit) && limit > 0 ? limit : 1)
  let next = 0
  const failures: unknown[] = []
  const lane = async () => {
    while (failures.length === 0 && next < items.length) {
      const item = items[next++]
      try {
        await work(item)
      } catch (error) {
        failures.push(error)
      }
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane))
  if (failures.length > 0) throw failures[0]
}
