import { test } from '@japa/runner'
import type { SessionData, SessionStoreContract } from '@adonisjs/session/types'
import { SparingTouchStore, TOUCH_EVERY_MS } from '#services/infrastructure/session_touch'

/** A store that records what reaches it. */
function recording() {
  const calls: string[] = []
  const rows = new Map<string, SessionData>()
  const store: SessionStoreContract = {
    read: (id) => rows.get(id) ?? null,
    write: async (id, values) => {
      calls.push(`write ${id}`)
      rows.set(id, values)
    },
    destroy: async (id) => {
      calls.push(`destroy ${id}`)
      rows.delete(id)
    },
    touch: async (id) => {
      calls.push(`touch ${id}`)
    },
  }
  return { store, calls }
}

test.group('Sessions: an unchanged session is touched at most once a minute', () => {
  test('a change is written at once; touches within a minute of the last write are skipped', async ({ assert }) => {
    let now = 1_000_000
    const { store, calls } = recording()
    const sessions = new SparingTouchStore(store, () => now)
    await sessions.write('a', { auth: 1 })
    await sessions.touch('a')
    now += TOUCH_EVERY_MS - 1
    await sessions.touch('a')
    assert.deepEqual(calls, ['write a'])
    now += 1
    await sessions.touch('a')
    await sessions.touch('a')
    assert.deepEqual(calls, ['write a', 'touch a'])
    await sessions.write('a', { auth: 2 })
    assert.deepEqual(calls, ['write a', 'touch a', 'write a'])
  })

  test('a session this process has not written is touched at its first request; a destroyed one is gone', async ({
    assert,
  }) => {
    let now = 5_000_000
    const { store, calls } = recording()
    const sessions = new SparingTouchStore(store, () => now)
    await sessions.touch('b')
    await sessions.touch('b')
    assert.deepEqual(calls, ['touch b'])
    await sessions.destroy('b')
    assert.isNull(await sessions.read('b'))
    await sessions.touch('b')
    assert.deepEqual(calls, ['touch b', 'destroy b', 'touch b'])
  })
})
