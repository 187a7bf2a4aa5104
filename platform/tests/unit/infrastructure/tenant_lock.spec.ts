import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { lockForTenant } from '#services/infrastructure/tenant_lock'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Two transactions, the second started while the first holds its lock, each recording when it got
 * past `lockForTenant`. Outside any test transaction: on PostgreSQL each runs on its own pooled
 * connection, as two requests or jobs do.
 */
async function twoAtOnce(second: { lock: 'collectionRecord' | 'protocolRegister'; tenantId: number }) {
  const events: string[] = []
  const first = db.transaction(async (trx) => {
    await lockForTenant(trx, 'collectionRecord', 901)
    events.push('first locked')
    await sleep(250)
    events.push('first ends')
  })
  await sleep(60)
  const other = db.transaction(async (trx) => {
    await lockForTenant(trx, second.lock, second.tenantId)
    events.push('second locked')
  })
  await Promise.all([first, other])
  return events
}

test.group('Locks per tenant', () => {
  test('the same lock of the same tenant waits for the first transaction to end', async ({ assert }) => {
    assert.deepEqual(await twoAtOnce({ lock: 'collectionRecord', tenantId: 901 }), [
      'first locked',
      'first ends',
      'second locked',
    ])
  })

  test('another tenant, or another lock, does not wait', async ({ assert }) => {
    const otherTenant = await twoAtOnce({ lock: 'collectionRecord', tenantId: 902 })
    const otherLock = await twoAtOnce({ lock: 'protocolRegister', tenantId: 901 })
    if (db.connection().dialect.name === 'postgres') {
      assert.deepEqual(otherTenant, ['first locked', 'second locked', 'first ends'])
      assert.deepEqual(otherLock, ['first locked', 'second locked', 'first ends'])
    } else {
      // SQLite: the process's one connection runs one transaction at a time, lock or not.
      assert.deepEqual(otherTenant, ['first locked', 'first ends', 'second locked'])
      assert.deepEqual(otherLock, ['first locked', 'first ends', 'second locked'])
    }
  })
})
