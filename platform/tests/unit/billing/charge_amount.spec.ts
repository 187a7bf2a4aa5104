import { test } from '@japa/runner'
import { Decimal } from 'decimal.js'
import { lineAmount } from '#services/billing/charge_amount'
import { MAX_CENTS } from '#services/billing/ledger_service'

test.group('Charge amount', () => {
  test('a whole quantity gives the same cents as the decimal product, a fraction is rounded half up', ({ assert }) => {
    for (const [quantity, unitCents] of [
      ['20', 425],
      ['0012', 343],
      ['0', 400],
      ['9999999', 1000],
      ['1', MAX_CENTS],
    ] as const) {
      const expected = new Decimal(quantity).times(unitCents).toNumber()
      assert.deepEqual(lineAmount({ quantity, unitCents }), { amountCents: expected, quantity, unitCents })
    }
    assert.equal(lineAmount({ quantity: '2.5', unitCents: 3 }).amountCents, 8)
    assert.equal(lineAmount({ quantity: '1.001', unitCents: 500 }).amountCents, 501)
  })

  test('a product over the limit is refused on the whole and on the decimal path alike', ({ assert }) => {
    assert.throws(() => lineAmount({ quantity: '2', unitCents: MAX_CENTS }), /too large/)
    assert.throws(() => lineAmount({ quantity: '9999999', unitCents: MAX_CENTS }), /too large/)
    assert.throws(() => lineAmount({ quantity: '1.5', unitCents: MAX_CENTS }), /too large/)
    assert.throws(() => lineAmount({ quantity: '-1', unitCents: 100 }), /quantity/)
    assert.throws(() => lineAmount({ quantity: '20', unitCents: 1.5 }), /unitCents/)
  })
})
