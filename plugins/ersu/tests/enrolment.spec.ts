import { test } from '@japa/runner'
import type { EnrolmentDescribeHelpers } from '@sportello/platform/sdk'
import { describe, detailsOf } from '../enrolment.js'

const helpers = (lang: 'it' | 'en'): EnrolmentDescribeHelpers => ({
  lang,
  enumLabel: (field, value) => (field === 'student_status' && value === 'fuori_sede' ? 'Fuori sede' : null),
  day: (value) => (typeof value === 'string' ? value : null),
})

test.group('ERSU: the enrolment details', () => {
  test('the details keep benefits, course and merit, checked, and nothing else', ({ assert }) => {
    const data = {
      student: { first_name: 'Marta' },
      benefits: ['borsa', '', 3, 'mensa'],
      degree_course: 'Giurisprudenza',
      course_level: '2',
      course_year: 99,
      first_year: true,
      student_status: 'fuori_sede',
      credits: '-4',
      average_mark: '30.5',
      iban: 'IT60X0542811101000000123456',
    }
    assert.deepEqual(detailsOf(data), {
      benefits: ['borsa', 'mensa'],
      degree_course: 'Giurisprudenza',
      course_level: 2,
      first_year: true,
      student_status: 'fuori_sede',
    })
    assert.deepEqual(detailsOf({ credits: 0, average_mark: 28 }), { credits: 0, average_mark: '28.00' })
    assert.deepEqual(detailsOf({}), {})
  })

  test('people read them as label/value lines in their language', ({ assert }) => {
    const details = { benefits: ['alloggio'], first_year: false, student_status: 'fuori_sede', credits: 40 }
    assert.deepEqual(describe(details, helpers('it')), [
      {
        items: [
          { label: 'Benefici richiesti', value: ['alloggio'] },
          { label: 'Iscrizione al primo anno', value: 'no' },
          { label: 'Condizione', value: 'Fuori sede' },
          { label: 'Crediti conseguiti', value: '40' },
        ],
      },
    ])
    assert.equal(describe(details, helpers('en'))[0].items[0].label, 'Benefits requested')
    assert.deepEqual(describe({}, helpers('it')), [])
  })
})
