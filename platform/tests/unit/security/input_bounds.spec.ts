import { test } from '@japa/runner'
import { formatEur, toDecimal, MAX_DECIMAL_LENGTH } from '#rules/decimal'
import { runInSandbox, sandboxResult } from '#rules/formula_sandbox'
import { factBoundsErrors, MAX_FACT_TEXT } from '#rules/facts_schema'
import { FormulaError } from '#rules/errors'

function cpuMs(fn: () => unknown) {
  const started = process.cpuUsage()
  fn()
  const used = process.cpuUsage(started)
  return (used.user + used.system) / 1000
}

test.group('Input bounds of the rules engine', () => {
  test('formatEur groups thousands in linear time', ({ assert }) => {
    assert.equal(formatEur('12000.5'), '12.000,50')
    assert.equal(formatEur('-1234567.891'), '-1.234.567,89')
    assert.equal(formatEur(999), '999,00')
    assert.equal(formatEur('1000'), '1.000,00')
    // Past the decimal bound a value is not formatted at all, and the text shown is cut short.
    assert.lengthOf(formatEur('9'.repeat(40_000)), MAX_DECIMAL_LENGTH)
  })

  test('toDecimal refuses long text, huge exponents and backtracking traps at once', ({ assert }) => {
    assert.equal(toDecimal(' 12.50 ')!.toFixed(2), '12.50')
    assert.equal(toDecimal('1e3')!.toFixed(0), '1000')
    assert.isNull(toDecimal('9'.repeat(MAX_DECIMAL_LENGTH + 1)))
    assert.isNull(toDecimal('1e999999999'))
    assert.isNull(toDecimal(1e300))
    assert.isNull(toDecimal('.'))
    const trap = '9'.repeat(1_000_000) + 'x'
    assert.isBelow(
      cpuMs(() => toDecimal(trap)),
      50
    )
  })

  test('a js: formula result is checked for type and size at the sandbox boundary', ({ assert }) => {
    assert.throws(() => runInSandbox('f', "'9'.repeat(1e6)", {}), FormulaError, /1000000 caratteri/)
    assert.throws(() => runInSandbox('f', '({ a: 1 })', {}), FormulaError)
    assert.throws(() => sandboxResult('f', true), FormulaError, /tipo boolean/)
    assert.throws(() => sandboxResult('f', '1e999999999'), FormulaError, /limiti/)
    assert.equal(sandboxResult('f', '12.5').toFixed(1), '12.5')
    assert.isBelow(
      cpuMs(() => assert.throws(() => runInSandbox('f', "'9'.repeat(4e6)", {}))),
      500
    )
  })

  test('facts: numbers written as text, other text and the number of facts are bounded', ({ assert }) => {
    const schema = {
      type: 'object',
      properties: { isee: { type: ['number', 'string', 'null'] }, name: { type: 'string' } },
    }
    assert.deepEqual(factBoundsErrors(schema, { isee: '8000.00', name: 'x' }), [])
    assert.equal(factBoundsErrors(schema, { isee: '9'.repeat(41) })[0].fact, 'isee')
    assert.include(factBoundsErrors(schema, { name: 'x'.repeat(MAX_FACT_TEXT + 1) })[0].message, 'testo troppo lungo')
    assert.include(factBoundsErrors(schema, { list: Array(5000).fill(1) })[0].message, 'troppo grandi')
    assert.include(
      factBoundsErrors(schema, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, 1])))[0].message,
      'troppi dati'
    )
  })
})
