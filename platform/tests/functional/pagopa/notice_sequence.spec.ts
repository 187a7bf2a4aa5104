import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import { RequestContext } from '#services/infrastructure/request_context'
import { lastNoticeBase, nextNoticeNumber } from '#integrations/pagopa/notice_sequence'
import { parseNoticeNumber } from '#integrations/pagopa/notice_number'

/** Not in a global transaction: the point is how separate transactions interleave. */
async function committedTenant(label: string) {
  return RequestContext.asSystem('test', () =>
    Tenant.create({
      slug: `seq-${label}-${process.pid}-${Date.now()}`,
      name: 'Comune',
      fiscalCode: '00000000000',
      settings: {},
    })
  )
}

async function dropTenant(tenant: Tenant) {
  await db.from('pagopa_notice_sequences').where('tenant_id', tenant.id).delete()
  await db.from('audit_logs').where('tenant_id', tenant.id).delete()
  await db.from('tenants').where('id', tenant.id).delete()
}

test.group('Notice number sequence', () => {
  test('numbers follow one another per tenant, each tenant on its own sequence', async ({ assert, cleanup }) => {
    const a = await committedTenant('a')
    const b = await committedTenant('b')
    cleanup(async () => {
      await dropTenant(a)
      await dropTenant(b)
    })
    const take = (t: Tenant, seg: string) => db.transaction((trx) => nextNoticeNumber(trx, t.id, seg))
    assert.equal((await take(a, '01')).nav, '301000000000000144')
    assert.equal((await take(a, '01')).base, '0000000000002')
    assert.equal((await take(b, '07')).base, '0000000000001')
    assert.equal((await take(a, '01')).base, '0000000000003')
    assert.equal(await lastNoticeBase(db, a.id), 3n)
    assert.isNotNull(parseNoticeNumber((await take(b, '07')).nav))
  })

  test('a rolled-back transaction gives its number back', async ({ assert, cleanup }) => {
    const tenant = await committedTenant('rb')
    cleanup(() => dropTenant(tenant))
    await db.transaction((trx) => nextNoticeNumber(trx, tenant.id, '01'))
    const trx = await db.transaction()
    assert.equal((await nextNoticeNumber(trx, tenant.id, '01')).base, '0000000000002')
    await trx.rollback()
    const again = await db.transaction((t) => nextNoticeNumber(t, tenant.id, '01'))
    assert.equal(again.base, '0000000000002')
  })

  test('under concurrent transactions, some rolling back, the committed numbers are 1…n with no gap or repeat', async ({
    assert,
    cleanup,
  }) => {
    const tenant = await committedTenant('conc')
    cleanup(() => dropTenant(tenant))
    const committed: number[] = []
    const workers = Array.from({ length: 24 }, async (_, i) => {
      const trx = await db.transaction()
      try {
        const { base } = await nextNoticeNumber(trx, tenant.id, '01')
        // Hold the number a little, as a caller writing its position would.
        await sleep(i % 4)
        if (i % 3 === 0) {
          await trx.rollback()
          return
        }
        await trx.commit()
        committed.push(Number(base))
      } catch (error) {
        if (!trx.isCompleted) await trx.rollback()
        throw error
      }
    })
    await Promise.all(workers)
    assert.lengthOf(committed, 16)
    assert.deepEqual(
      committed.sort((x, y) => x - y),
      Array.from({ length: 16 }, (_, i) => i + 1)
    )
    assert.equal(await lastNoticeBase(db, tenant.id), 16n)
  })

  test('outside a transaction it refuses to give a number', async ({ assert }) => {
    await assert.rejects(() => nextNoticeNumber(db.connection() as never, 1, '01'), /inside the transaction/)
  })
})
