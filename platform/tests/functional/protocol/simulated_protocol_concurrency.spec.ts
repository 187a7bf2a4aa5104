import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { SimulatedProtocol } from '#integrations/protocol'
import type { ProtocolRequest } from '#integrations/protocol_types'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant } from '#tests/helpers/world'

/**
 * The local register under concurrency, outside any test transaction: on PostgreSQL each
 * registration runs on its own pooled connection, as receipt jobs run at once in a worker. Without
 * the register's lock, registrations read the same greatest number and all but one failed on the
 * unique key, at every retry while others went on (receipt jobs failed for good, their submissions
 * never protocolled). SQLite runs them one at a time on its one connection.
 */
const AT_ONCE = 30

function request(key: string): ProtocolRequest {
  return {
    idempotencyKey: key,
    direction: 'E',
    subject: `Domanda ${key}`,
    correspondent: { firstName: 'Anna', lastName: 'Bianchi', fiscalCode: null },
    document: { fileName: `${key}.pdf`, content: Buffer.from(`%PDF-1.4 ${key}\n%%EOF\n`), mimeType: 'application/pdf' },
  }
}

test.group('Simulated protocol: registrations at once', (group) => {
  let tenant: Awaited<ReturnType<typeof makeTenant>>
  group.each.setup(async () => {
    tenant = await makeTenant()
    return async () => {
      await RequestContext.asSystem('test', () => db.from('tenants').where('id', tenant.id).delete())
    }
  })

  test('every registration is answered, with consecutive numbers and document ids', async ({ assert }) => {
    const protocol = new SimulatedProtocol()
    const outcomes = await RequestContext.withTenant(tenant.ref, () =>
      Promise.allSettled(Array.from({ length: AT_ONCE }, (_, i) => protocol.register(request(`once-${i}`))))
    )
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason?.message ?? o.reason)] : []))
    assert.deepEqual(failures, [], 'no registration fails')
    const answers = outcomes.map((o) => (o as PromiseFulfilledResult<{ number: number; docId: number }>).value)
    const consecutive = Array.from({ length: AT_ONCE }, (_, i) => i + 1)
    assert.deepEqual(
      answers.map((a) => a.number).sort((a, b) => a - b),
      consecutive
    )
    assert.deepEqual(
      answers.map((a) => a.docId).sort((a, b) => a - b),
      consecutive
    )
    const stored = await RequestContext.asSystem('test', () =>
      db.from('protocol_entries').where('tenant_id', tenant.id).count('* as n').first()
    )
    assert.equal(Number(stored.n), AT_ONCE)
  }).timeout(30000)

  test('one key sent several times at once is registered once, every call answered with it', async ({ assert }) => {
    const protocol = new SimulatedProtocol()
    await RequestContext.withTenant(tenant.ref, () => protocol.register(request('before')))
    const outcomes = await RequestContext.withTenant(tenant.ref, () =>
      Promise.allSettled(Array.from({ length: 8 }, () => protocol.register(request('repeated'))))
    )
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason?.message ?? o.reason)] : []))
    assert.deepEqual(failures, [], 'no call fails')
    const labels = new Set(outcomes.map((o) => (o as PromiseFulfilledResult<{ label: string }>).value.label))
    assert.deepEqual([...labels], [`${DateTime.now().setZone('Europe/Rome').year}/0000002`])
    const stored = await RequestContext.asSystem('test', () =>
      db.from('protocol_entries').where('tenant_id', tenant.id).count('* as n').first()
    )
    assert.equal(Number(stored.n), 2)
  }).timeout(30000)
})
