import { test } from '@japa/runner'
import { eachAtMost } from '#services/infrastructure/each_at_most'

/** A piece of work that finishes when the test lets it, recording when it started and ended. */
function gate() {
  const started: number[] = []
  const open = new Map<number, () => void>()
  const ended: number[] = []
  const work = (item: number) =>
    new Promise<void>((resolve, reject) => {
      started.push(item)
      open.set(item, () => {
        ended.push(item)
        if (item < 0) reject(new Error(`item ${item} failed`))
        else resolve()
      })
    })
  const finish = async (item: number) => {
    open.get(item)!()
    // Let the lane that awaited it take its next item.
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  return { started, ended, work, finish }
}

test.group('eachAtMost', () => {
  test('runs at most the limit at once, in order, and every item once', async ({ assert }) => {
    const g = gate()
    const all = eachAtMost([1, 2, 3, 4, 5], 2, g.work)
    await Promise.resolve()
    assert.deepEqual(g.started, [1, 2])
    await g.finish(2)
    assert.deepEqual(g.started, [1, 2, 3])
    await g.finish(1)
    assert.deepEqual(g.started, [1, 2, 3, 4])
    await g.finish(3)
    await g.finish(4)
    await g.finish(5)
    await all
    assert.deepEqual(g.ended, [2, 1, 3, 4, 5])
  })

  test('after a failure starts nothing more, waits for the work under way, then throws the first failure', async ({
    assert,
  }) => {
    const g = gate()
    let settled = false
    const all = eachAtMost([1, -2, 3, -4], 2, g.work).finally(() => (settled = true))
    await Promise.resolve()
    await g.finish(-2)
    // Item 1 is still running: the caller is not answered yet, and item 3 never starts.
    assert.isFalse(settled)
    assert.deepEqual(g.started, [1, -2])
    await g.finish(1)
    await assert.rejects(() => all, 'item -2 failed')
    assert.deepEqual(g.started, [1, -2])
  })

  test('a limit that is not a positive whole number runs one at a time; no items, nothing runs', async ({ assert }) => {
    for (const limit of [0, -1, Number.NaN, 1.5]) {
      const g = gate()
      const all = eachAtMost([1, 2], limit, g.work)
      await Promise.resolve()
      assert.deepEqual(g.started, [1], `limit ${limit}`)
      await g.finish(1)
      await g.finish(2)
      await all
    }
    let ran = false
    await eachAtMost([], 3, async () => {
      ran = true
    })
    assert.isFalse(ran)
  })
})
