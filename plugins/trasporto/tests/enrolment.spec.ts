import { test } from '@japa/runner'
import type { EnrolmentDescribeHelpers } from '@sportello/platform/sdk'
import { describe, detailsOf } from '../enrolment.js'

const helpers = (lang: 'it' | 'en'): EnrolmentDescribeHelpers => ({
  lang,
  enumLabel: (field, value) => (field === 'school_order' && value === 'primaria' ? 'Scuola primaria' : null),
  day: () => null,
})

test.group('Trasporto: the enrolment details', () => {
  test('line, stop and the people allowed to pick the child up, by name and relationship only', ({ assert }) => {
    const details = detailsOf({
      school_order: 'primaria',
      class_year: '3',
      transport_line: 'L1',
      transport_stop: 'L1-03',
      payment_plan: 'annual',
      authorised_pickup_persons: [
        { first_name: 'Anna', last_name: 'Bianchi', relationship: 'nonna', fiscal_code: 'BNCNNA50A41G535X' },
        'nonsense',
      ],
      isee_value: 5000,
    })
    assert.deepEqual(details, {
      school_order: 'primaria',
      class_year: '3',
      transport_line: 'L1',
      transport_stop: 'L1-03',
      payment_plan: 'annual',
      authorised_pickup_persons: [{ first_name: 'Anna', last_name: 'Bianchi', relationship: 'nonna' }],
    })
    assert.deepEqual(describe({ ...details }, helpers('it')), [
      {
        items: [
          { label: 'Ordine di scuola', value: 'Scuola primaria' },
          { label: 'Classe', value: '3' },
          { label: 'Linea', value: 'L1' },
          { label: 'Fermata', value: 'L1-03' },
          { label: 'Persone autorizzate al ritiro', value: ['Anna Bianchi (nonna)'] },
        ],
      },
    ])
    assert.equal(describe({ ...details }, helpers('en'))[0].items[2].label, 'Line')
  })
})
