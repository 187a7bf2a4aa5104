import { test } from '@japa/runner'
import type { EnrolmentDescribeHelpers } from '@sportello/platform/sdk'
import { describe, detailsOf } from '../enrolment.js'

const helpers = (lang: 'it' | 'en'): EnrolmentDescribeHelpers => ({
  lang,
  enumLabel: () => null,
  day: (value) => (typeof value === 'string' ? value : null),
})

test.group('Emergency grant: the enrolment details', () => {
  test('household, residence, amounts as decimal text and the IBAN, checked', ({ assert }) => {
    assert.deepEqual(
      detailsOf({
        household_members: 4,
        resident_on_reference_date: false,
        other_support_monthly: '1200,3',
        wage_or_pension_monthly: 799.99,
        iban: 'it60 x054 2811 1010 0000 0123 456',
      }),
      {
        household_members: 4,
        resident_on_reference_date: false,
        other_support_monthly: '1200.30',
        wage_or_pension_monthly: '799.99',
        iban: 'IT60X0542811101000000123456',
      }
    )
    // Not a household size, not an amount, not an IBAN: left out for the office to ask.
    assert.deepEqual(
      detailsOf({ household_members: 2.5, other_support_monthly: '-10', wage_or_pension_monthly: 1e21, iban: 'x' }),
      {}
    )
  })

  test('people read them in their language, amounts written as the language writes them', ({ assert }) => {
    const details = { household_members: 3, other_support_monthly: '250.50' }
    assert.deepEqual(describe(details, helpers('it')), [
      {
        items: [
          { label: 'Componenti del nucleo familiare', value: '3' },
          { label: 'Altri sostegni al reddito (al mese)', value: '€ 250,50' },
        ],
      },
    ])
    assert.equal(describe(details, helpers('en'))[0].items[1].value, '€ 250.50')
  })
})
