import { test } from '@japa/runner'
import fc from 'fast-check'
import {
  compareDecimal,
  compileCondition,
  ConditionError,
  evaluateCondition,
  shortDouble,
  type Condition,
} from '../../../shared/conditions.js'

test.group('Conditions | decimal comparison', () => {
  test('numeric strings and numbers compare as exact decimals', ({ assert }) => {
    assert.equal(compareDecimal('4300.01', 4300.01), 0)
    assert.equal(compareDecimal('4300.00', 4300), 0)
    assert.equal(compareDecimal('4300.01', '4300.00'), 1)
    assert.equal(compareDecimal('9000', '10000.5'), -1)
    assert.equal(compareDecimal('-0.5', '-0.49'), -1)
    assert.equal(compareDecimal('1e3', '999.99'), 1)
    assert.equal(compareDecimal(0.1 + 0.2, '0.3'), 1)
    assert.isNull(compareDecimal('12.000,00', 1))
    assert.isNull(compareDecimal(null, 1))
  })

  test('threshold operators never compare numeric strings as text', ({ assert }) => {
    const minima: Condition = { fact: 'isee', operator: 'lessThanInclusive', value: '4300.00' }
    assert.isTrue(evaluateCondition(minima, { isee: '4300.00' }))
    assert.isFalse(evaluateCondition(minima, { isee: '4300.01' }))
    assert.isFalse(evaluateCondition(minima, { isee: '12000.00' }))
    assert.isTrue(evaluateCondition(minima, { isee: '999' }))
    assert.isFalse(evaluateCondition(minima, { isee: null }))
    assert.isFalse(evaluateCondition(minima, {}))
  })
})

test.group('Conditions | short decimals read as doubles', () => {
  const digits = (min: number, max: number) =>
    fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''))

  test('a short decimal string gives the double Number() gives', () => {
    const short = fc
      .tuple(fc.boolean(), digits(1, 15), fc.option(digits(1, 15), { nil: undefined }))
      .map(([negative, int, frac]) => `${negative ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`)
      .filter((text) => text.replace(/[-.]/g, '').replace(/^0+/, '').length <= 15)
    fc.assert(
      fc.property(short, (text) => {
        if (!Object.is(shortDouble(text), Number(text))) throw new Error(`${text}: ${shortDouble(text)}`)
      }),
      { numRuns: 5000 }
    )
  })

  test('anything else is not a short decimal', ({ assert }) => {
    for (const text of [
      '',
      '-',
      '.5',
      '5.',
      '1e3',
      ' 1',
      '1 ',
      '+1',
      '1.2.3',
      '12,50',
      '1234567890123456',
      '0.1234567890123456',
    ]) {
      assert.isNaN(shortDouble(text), text)
    }
    assert.isNaN(shortDouble(null))
    assert.isNaN(shortDouble(Number.POSITIVE_INFINITY))
    assert.equal(shortDouble(4300.01), 4300.01)
    assert.equal(shortDouble('000123.4500'), 123.45)
  })
})

test.group('Conditions | operators and structure', () => {
  const named = {
    is_resident: { fact: 'residence', operator: 'in', value: ['piacenza', 'gossolengo'] },
    low_isee: { all: [{ condition: 'is_resident' }, { fact: 'isee', operator: 'lessThan', value: 3000 }] },
  } satisfies Record<string, Condition>

  test('all, any, not and named conditions combine as in json-rules-engine', ({ assert }) => {
    const c = compileCondition(
      { any: [{ condition: 'low_isee' }, { not: { fact: 'foster_care', operator: 'equal', value: false } }] },
      named
    )
    assert.isTrue(c({ residence: 'piacenza', isee: 2999.99, foster_care: false }))
    assert.isFalse(c({ residence: 'other', isee: 1, foster_care: false }))
    assert.isTrue(c({ residence: 'other', isee: 1, foster_care: true }))
    assert.isTrue(compileCondition({ all: [] })({}))
    assert.isFalse(compileCondition({ any: [] })({}))
  })

  test('list operators, fact-to-fact values and paths work', ({ assert }) => {
    const facts = {
      diets: ['vegan', 'no_pork'],
      a: '9000.00',
      b: 10000,
      child: { address: { city: 'Piacenza' }, siblings: [1, 2] },
    }
    assert.isTrue(evaluateCondition({ fact: 'diets', operator: 'contains', value: 'vegan' }, facts))
    assert.isTrue(evaluateCondition({ fact: 'diets', operator: 'doesNotContain', value: 'halal' }, facts))
    assert.isTrue(evaluateCondition({ fact: 'a', operator: 'notIn', value: ['1', '2'] }, facts))
    assert.isTrue(evaluateCondition({ fact: 'a', operator: 'lessThan', value: { fact: 'b' } }, facts))
    assert.isTrue(
      evaluateCondition({ fact: 'child', path: '$.address.city', operator: 'equal', value: 'Piacenza' }, facts)
    )
    assert.isTrue(evaluateCondition({ fact: 'child', path: '$.siblings.length', operator: 'equal', value: 2 }, facts))
    assert.isTrue(evaluateCondition({ fact: 'child', path: "$['siblings'][1]", operator: 'equal', value: 2 }, facts))
    assert.isFalse(evaluateCondition({ fact: 'child', path: '$.missing.deep', operator: 'exists' }, facts))
  })

  test('isEmpty, isNotEmpty and exists look at the fact alone', ({ assert }) => {
    assert.isTrue(evaluateCondition({ fact: 'x', operator: 'isEmpty' }, { x: '  ' }))
    assert.isTrue(evaluateCondition({ fact: 'x', operator: 'isEmpty' }, { x: [] }))
    assert.isTrue(evaluateCondition({ fact: 'x', operator: 'isNotEmpty' }, { x: 'a' }))
    assert.isTrue(evaluateCondition({ fact: 'x', operator: 'exists' }, { x: 0 }))
    assert.isFalse(evaluateCondition({ fact: 'x', operator: 'exists' }, { x: null }))
  })

  test('malformed conditions fail at compile time with a clear message', ({ assert }) => {
    assert.throws(() => compileCondition({ condition: 'nope' }), ConditionError, /"nope" is referenced but not defined/)
    assert.throws(
      () => compileCondition({ condition: 'a' }, { a: { condition: 'b' }, b: { condition: 'a' } }),
      /loop: a → b → a/
    )
    assert.throws(
      () => compileCondition({ fact: 'x', operator: 'like' as 'equal', value: 1 }),
      /Unknown operator "like"/
    )
    assert.throws(() => compileCondition({ fact: 'x', operator: 'lessThan', value: 'abc' }), /needs a number/)
    assert.throws(() => compileCondition({ fact: 'x', path: '$.__proto__', operator: 'exists' }), /may not use/)
  })

  test('prototype properties are never read as facts', ({ assert }) => {
    assert.isFalse(evaluateCondition({ fact: 'toString', operator: 'exists' }, {}))
    assert.isFalse(evaluateCondition({ fact: 'o', path: '$.toString', operator: 'exists' }, { o: {} }))
    assert.throws(() => compileCondition({ fact: 'o', path: '$.constructor', operator: 'exists' }), /may not use/)
  })
})
