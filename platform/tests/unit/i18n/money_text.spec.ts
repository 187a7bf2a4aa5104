import { test } from '@japa/runner'
import { formatCents, formatEuro } from '#shared/money_text'

test.group('Money as people read it', () => {
  test('decimal amounts: grouped thousands, two decimals, rounded half up on the digits', ({ assert }) => {
    assert.equal(formatEuro('4300', 'it'), '€ 4.300,00')
    assert.equal(formatEuro('4300', 'en'), '€4,300.00')
    assert.equal(formatEuro('3.43', 'it'), '€ 3,43')
    assert.equal(formatEuro('0.125', 'it'), '€ 0,13')
    assert.equal(formatEuro('0.124', 'en'), '€0.12')
    assert.equal(formatEuro('1234567.5', 'it'), '€ 1.234.567,50')
    assert.equal(formatEuro('-1.5', 'it'), '-€ 1,50')
    assert.equal(formatEuro(5.69, 'en'), '€5.69')
    // Beyond a float's precision, still exact.
    assert.equal(formatEuro('90071992547409931.01', 'en'), '€90,071,992,547,409,931.01')
    assert.equal(formatEuro('n/a', 'it'), 'n/a')
  })

  test('integer cents read the same as the decimal amount they stand for', ({ assert }) => {
    assert.equal(formatCents(430000, 'it'), formatEuro('4300', 'it'))
    assert.equal(formatCents(343, 'en'), formatEuro('3.43', 'en'))
    assert.equal(formatCents(5, 'it'), '€ 0,05')
    assert.equal(formatCents(-150, 'it'), '-€ 1,50')
    assert.equal(formatCents(0, 'en'), '€0.00')
  })
})
