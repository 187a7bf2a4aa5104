import { test } from '@japa/runner'
import { protocolEntryDay } from '#integrations/protocol_entries'

test.group('The day of a protocol record', () => {
  test('read back as PostgreSQL gives it (an instant), the day is Rome’s, not UTC’s', ({ assert }) => {
    assert.equal(protocolEntryDay(new Date('2026-11-30T23:30:00Z')), '2026-12-01')
    assert.equal(protocolEntryDay(new Date('2026-11-30T12:00:00Z')), '2026-11-30')
  })

  test('read back as SQLite gives it (Rome’s wall-clock text), or as a bare day, it is that day', ({ assert }) => {
    assert.equal(protocolEntryDay('2026-12-01 00:30:00'), '2026-12-01')
    assert.equal(protocolEntryDay('2026-11-30 23:59:59'), '2026-11-30')
    assert.equal(protocolEntryDay('2026-12-01'), '2026-12-01')
  })
})
