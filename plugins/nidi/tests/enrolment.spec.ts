import { test } from '@japa/runner'
import type { EnrolmentDescribeHelpers } from '@sportello/platform/sdk'
import { attendanceFrom, describe, detailsOf } from '../enrolment.js'

const helpers = (lang: 'it' | 'en'): EnrolmentDescribeHelpers => ({
  lang,
  enumLabel: (field, value) => (field === 'service' && value === 'nido' ? "Nido d'infanzia" : null),
  day: (value) => (typeof value === 'string' ? `<${value}>` : null),
})

test.group('Nidi: the enrolment details', () => {
  test('the details keep preferences, attendance, weeks and the service attended, nothing else', ({ assert }) => {
    const data = {
      child: { first_name: 'Leo' },
      service: 'nido',
      structure_id: 'nido-farnesiana',
      weeks: [{ from: '2026-07-13', to: '2026-07-17' }, { from: '2026-07-06', to: '2026-07-10' }, 'nonsense'],
      structure_preferences: ['nido-farnesiana', 'nido-besurica'],
      attendance_time: 'full',
      days_per_week: 3,
      isee_value: 9000,
    }
    assert.deepEqual(detailsOf(data), {
      structure_preferences: ['nido-farnesiana', 'nido-besurica'],
      attendance_time: 'full',
      weeks: [
        { from: '2026-07-13', to: '2026-07-17' },
        { from: '2026-07-06', to: '2026-07-10' },
      ],
      days_per_week: 3,
      attended_service: 'nido',
    })
    assert.equal(attendanceFrom(data), '2026-07-06')
    assert.isNull(attendanceFrom({}))
  })

  test('people read them as label/value lines in their language', ({ assert }) => {
    const details = {
      attended_service: 'nido',
      weeks: [{ from: '2026-07-06', to: '2026-07-10' }],
      days_per_week: 3,
    }
    assert.deepEqual(describe(details, helpers('it')), [
      {
        items: [
          { label: 'Servizio frequentato', value: "Nido d'infanzia" },
          { label: 'Settimane di frequenza', value: ['<2026-07-06> – <2026-07-10>'] },
          { label: 'Giorni a settimana', value: '3' },
        ],
      },
    ])
    assert.equal(describe(details, helpers('en'))[0].items[1].label, 'Weeks of attendance')
    assert.deepEqual(describe({}, helpers('it')), [])
  })
})
