import { test } from '@japa/runner'
import { italianToday } from '../../../web/src/app/italian_day.js'

test.group('Italy’s day in the browser', () => {
  test('late on a UTC evening Italy is already on the next day; early on a UTC morning, the same day', ({ assert }) => {
    assert.equal(italianToday(new Date('2026-11-30T23:30:00Z')), '2026-12-01')
    assert.equal(italianToday(new Date('2026-11-30T22:59:00Z')), '2026-11-30')
    // Summer time: two hours ahead.
    assert.equal(italianToday(new Date('2026-07-14T22:10:00Z')), '2026-07-15')
    assert.equal(italianToday(new Date('2026-07-14T00:30:00Z')), '2026-07-14')
  })
})
