import { test } from '@japa/runner'
import { centsText, fillFacts, withApplicantFacts } from '#shared/applicant_facts'

test.group('Applicant facts for BLOCCO rules', () => {
  test('amounts in cents are written for a person without a float', ({ assert }) => {
    assert.equal(centsText(0, 'it'), '0,00')
    assert.equal(centsText(5, 'it'), '0,05')
    assert.equal(centsText(11000, 'it'), '110,00')
    assert.equal(centsText(123456789, 'it'), '1.234.567,89')
    assert.equal(centsText(123456789, 'en'), '1,234,567.89')
    assert.equal(centsText(-250, 'en'), '-2.50')
  })

  test('the platform’s facts win over fields of the same name; messages name them between braces', ({ assert }) => {
    const facts = { blocco_debiti: true, debito_scaduto_cents: 4500, debito_scaduto: '45,00' }
    assert.deepEqual(withApplicantFacts({ a: 1, blocco_debiti: false }, facts), { a: 1, ...facts })
    assert.deepEqual(withApplicantFacts({ a: 1 }, null), { a: 1 })
    assert.equal(fillFacts('Debito di € {debito_scaduto} ({other})', facts), 'Debito di € 45,00 ({other})')
    assert.equal(fillFacts('Debito di € {debito_scaduto}', undefined), 'Debito di € {debito_scaduto}')
  })
})
