import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import {
  enrolmentWindow,
  EnrolmentSettingsError,
  lateFilingNote,
  parseEnrolmentSettings,
  windowRefusal,
} from '#services/enrolments/enrolment_windows'

const FORM = 'refezione.iscrizione'
const SPRING = { [FORM]: { opens: '2026-03-01', closes: '2026-06-30' } }

/** The state at an instant written in UTC, so the test does not depend on the machine's zone. */
function stateAt(windows: Parameters<typeof enrolmentWindow>[0], utc: string) {
  return enrolmentWindow(windows, FORM, new Date(utc)).state
}

test.group('Enrolment windows: the decision', () => {
  test('a form with no entry is always open, with no dates', ({ assert }) => {
    assert.deepEqual(enrolmentWindow({}, FORM, new Date('2026-01-01T00:00:00Z')), {
      open: true,
      opens: null,
      closes: null,
      state: 'open',
    })
    assert.equal(stateAt({ 'trasporto.iscrizione': SPRING[FORM] }, '2027-01-01T00:00:00Z'), 'open')
  })

  test('the closing day is included until 23:59 in Rome, in summer time', ({ assert }) => {
    // 30 June is CEST (UTC+2): 23:59 local is 21:59 UTC, midnight local is 22:00 UTC, still the 30th in UTC.
    assert.deepEqual(enrolmentWindow(SPRING, FORM, new Date('2026-06-30T21:59:00Z')), {
      open: true,
      opens: '2026-03-01',
      closes: '2026-06-30',
      state: 'open',
    })
    const after = enrolmentWindow(SPRING, FORM, new Date('2026-06-30T22:00:00Z'))
    assert.equal(after.state, 'closed')
    assert.isFalse(after.open)
  })

  test('the opening day starts at 00:00 in Rome, in winter time', ({ assert }) => {
    // 1 March is CET (UTC+1): midnight local is 23:00 UTC of 28 February.
    assert.equal(stateAt(SPRING, '2026-02-28T22:59:59Z'), 'not_yet')
    assert.equal(stateAt(SPRING, '2026-02-28T23:00:00Z'), 'open')
  })

  test('across the spring change of time (29 March 2026, a 23-hour day)', ({ assert }) => {
    const lastBefore = { [FORM]: { opens: null, closes: '2026-03-28' } }
    assert.equal(stateAt(lastBefore, '2026-03-28T22:59:00Z'), 'open') // 23:59 CET
    assert.equal(stateAt(lastBefore, '2026-03-28T23:00:00Z'), 'closed') // 00:00 of the 29th
    const onTheDay = { [FORM]: { opens: null, closes: '2026-03-29' } }
    assert.equal(stateAt(onTheDay, '2026-03-29T01:30:00Z'), 'open') // 03:30 CEST, after the jump
    assert.equal(stateAt(onTheDay, '2026-03-29T21:59:00Z'), 'open') // 23:59 CEST
    assert.equal(stateAt(onTheDay, '2026-03-29T22:00:00Z'), 'closed') // 00:00 of the 30th
    const opensOnTheDay = { [FORM]: { opens: '2026-03-30', closes: null } }
    assert.equal(stateAt(opensOnTheDay, '2026-03-29T21:59:00Z'), 'not_yet')
    assert.equal(stateAt(opensOnTheDay, '2026-03-29T22:00:00Z'), 'open')
  })

  test('across the autumn change of time (25 October 2026, a 25-hour day)', ({ assert }) => {
    const windows = { [FORM]: { opens: '2026-10-25', closes: '2026-10-25' } }
    assert.equal(stateAt(windows, '2026-10-24T21:59:00Z'), 'not_yet') // 23:59 CEST of the 24th
    assert.equal(stateAt(windows, '2026-10-24T22:00:00Z'), 'open') // 00:00 CEST of the 25th
    assert.equal(stateAt(windows, '2026-10-25T00:30:00Z'), 'open') // 02:30 CEST, first pass
    assert.equal(stateAt(windows, '2026-10-25T01:30:00Z'), 'open') // 02:30 CET, second pass
    assert.equal(stateAt(windows, '2026-10-25T22:59:00Z'), 'open') // 23:59 CET
    assert.equal(stateAt(windows, '2026-10-25T23:00:00Z'), 'closed') // 00:00 CET of the 26th
  })

  test('a Luxon instant in any zone gives the same answer as the same instant as a Date', ({ assert }) => {
    const utc = '2026-06-30T22:30:00Z'
    for (const zone of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
      const at = DateTime.fromISO(utc, { zone })
      assert.deepEqual(enrolmentWindow(SPRING, FORM, at), enrolmentWindow(SPRING, FORM, new Date(utc)))
    }
  })

  test('an open-ended window: only an opening day, or only a closing day', ({ assert }) => {
    const fromMarch = { [FORM]: { opens: '2026-03-01', closes: null } }
    assert.equal(stateAt(fromMarch, '2030-01-01T12:00:00Z'), 'open')
    assert.equal(stateAt(fromMarch, '2026-02-01T12:00:00Z'), 'not_yet')
    const untilJune = { [FORM]: { opens: null, closes: '2026-06-30' } }
    assert.equal(stateAt(untilJune, '2020-01-01T12:00:00Z'), 'open')
    assert.equal(stateAt(untilJune, '2026-07-01T12:00:00Z'), 'closed')
  })

  test('the refusal and the late-filing note give the dates as dd/mm/yyyy', ({ assert }) => {
    const closed = enrolmentWindow(SPRING, FORM, new Date('2026-07-02T10:00:00Z'))
    assert.include(windowRefusal(closed, 'it'), 'chiuse il 30/06/2026')
    assert.include(windowRefusal(closed, 'en'), 'closed on 30/06/2026')
    assert.include(lateFilingNote(closed), '30/06/2026')
    const early = enrolmentWindow(SPRING, FORM, new Date('2026-02-02T10:00:00Z'))
    assert.include(windowRefusal(early, 'it'), 'dal 01/03/2026 al 30/06/2026')
    assert.include(windowRefusal(early, 'en'), 'from 01/03/2026 to 30/06/2026')
    assert.include(lateFilingNote(early), '01/03/2026')
  })
})

test.group('Enrolment windows: the settings block', () => {
  function fieldOf(value: unknown, keys?: string[]) {
    try {
      parseEnrolmentSettings(value, keys)
    } catch (error) {
      if (error instanceof EnrolmentSettingsError) return error.field
      throw error
    }
    return null
  }

  test('a valid block is read with missing dates as null; no block means no windows', ({ assert }) => {
    assert.deepEqual(parseEnrolmentSettings(undefined), {})
    assert.deepEqual(parseEnrolmentSettings({ [FORM]: { closes: '2026-06-30' } }, [FORM]), {
      [FORM]: { opens: null, closes: '2026-06-30' },
    })
    assert.deepEqual(parseEnrolmentSettings({ [FORM]: { opens: '2026-06-30', closes: '2026-06-30' } }), {
      [FORM]: { opens: '2026-06-30', closes: '2026-06-30' },
    })
  })

  test('every wrong block names its field', ({ assert }) => {
    assert.equal(fieldOf([]), '')
    assert.equal(fieldOf('2026-03-01'), '')
    assert.equal(fieldOf({ [FORM]: { opens: '2026-02-30' } }), `${FORM}.opens`)
    assert.equal(fieldOf({ [FORM]: { closes: '30/06/2026' } }), `${FORM}.closes`)
    assert.equal(fieldOf({ [FORM]: { closes: '2026-06-30T12:00:00Z' } }), `${FORM}.closes`)
    assert.equal(fieldOf({ [FORM]: { opens: 20260301 } }), `${FORM}.opens`)
    assert.equal(fieldOf({ [FORM]: { opens: '2026-07-01', closes: '2026-06-30' } }), `${FORM}.opens`)
    assert.equal(fieldOf({ [FORM]: { close: '2026-06-30' } }), `${FORM}.close`)
    assert.equal(fieldOf({ [FORM]: true }), FORM)
    assert.equal(fieldOf({ 'mensa.iscrizione': { opens: '2026-03-01' } }, [FORM]), 'mensa.iscrizione')
  })

  test('messages come in Italian and English', ({ assert }) => {
    try {
      parseEnrolmentSettings({ [FORM]: { opens: '2026-07-01', closes: '2026-06-30' } })
      assert.fail('expected a refusal')
    } catch (error) {
      assert.instanceOf(error, EnrolmentSettingsError)
      const { messages } = error as EnrolmentSettingsError
      assert.include(messages.it, '01/07/2026')
      assert.include(messages.it, 'successiva')
      assert.include(messages.en, 'after the closing day')
    }
  })
})
