import { test } from '@japa/runner'
import { untilQuiet } from '#queue/until_quiet'

/** Readings of a queue in two places, one per call, the last one repeated once they run out. */
function scripted(readings: Array<{ inFlight: number; lastId: number }>) {
  let calls = 0
  return {
    read: async () => readings[Math.min(calls++, readings.length - 1)],
    calls: () => calls,
  }
}

test.group('Queue: waiting until the outbox and BullMQ are both empty', () => {
  test('an empty reading is not enough when a job was written before the next one', async ({ assert }) => {
    // A job completed between the BullMQ and the outbox readings, its follow-up relayed meanwhile:
    // the first reading finds nothing, the next finds a new outbox row, then that job in BullMQ.
    const queue = scripted([
      { inFlight: 0, lastId: 5 },
      { inFlight: 0, lastId: 6 },
      { inFlight: 1, lastId: 6 },
      { inFlight: 0, lastId: 6 },
      { inFlight: 0, lastId: 6 },
    ])
    await untilQuiet(queue.read, 1)
    assert.equal(queue.calls(), 5)
  })

  test('two empty readings with no job written between them end the wait', async ({ assert }) => {
    const queue = scripted([{ inFlight: 0, lastId: 9 }])
    await untilQuiet(queue.read, 1)
    assert.equal(queue.calls(), 2)
  })

  test('work in flight is waited for, however long', async ({ assert }) => {
    const queue = scripted([
      ...Array.from({ length: 20 }, () => ({ inFlight: 2, lastId: 3 })),
      { inFlight: 0, lastId: 3 },
    ])
    await untilQuiet(queue.read, 1)
    assert.equal(queue.calls(), 22)
  })
})
