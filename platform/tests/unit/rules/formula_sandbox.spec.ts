import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { compileFormula } from '../../../app/rules/formula_sandbox.js'
import { Dec } from '../../../app/rules/decimal.js'
import { evaluate, FormulaError, validateRuleSetDocument } from '../../../app/rules/engine.js'
import { cloneDoc, loadRuleSet } from './helpers.js'

const run = (expression: string, scope: Record<string, unknown> = {}, constants: Record<string, string> = {}) =>
  compileFormula(
    'test',
    expression,
    Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, new Dec(v)]))
  ).evaluate(scope)

const expectFormulaError = (assert: Assert, fn: () => unknown, pattern: RegExp) => {
  try {
    fn()
    assert.fail('expected a FormulaError')
  } catch (error) {
    assert.instanceOf(error, FormulaError)
    assert.match((error as Error).message, pattern)
  }
}

test.group('Formulas | decimal expressions', () => {
  test('arithmetic is decimal, not binary floating point', ({ assert }) => {
    assert.equal(run('a + b', { a: 0.1, b: 0.2 }).toFixed(), '0.3')
    assert.equal(run('isee * rate', { isee: '12345.67' }, { rate: '0.0179' }).toFixed(), '220.987493')
    assert.equal(run('fee * (21 - days) / 21', { fee: '529.00', days: 2 }).toFixed(10), '478.6190476190')
  })

  test('precedence, unary minus and functions follow the usual rules', ({ assert }) => {
    assert.equal(run('2 + 3 * 4').toFixed(), '14')
    assert.equal(run('(2 + 3) * 4').toFixed(), '20')
    assert.equal(run('-2 * -3').toFixed(), '6')
    assert.equal(run('10 - 4 - 3').toFixed(), '3')
    assert.equal(run('24 / 4 / 2').toFixed(), '3')
    assert.equal(run('max(0, 5 - 9)').toFixed(), '0')
    assert.equal(run('min(3, 1.5, 2)').toFixed(), '1.5')
    assert.equal(run('round(2.345, 2)').toFixed(), '2.35')
    assert.equal(run('floor(2.349, 2)').toFixed(), '2.34')
    assert.equal(run('ceil(2.341, 2)').toFixed(), '2.35')
    assert.equal(run('abs(-7)').toFixed(), '7')
  })

  test('anything outside the grammar is rejected at compile time with the position', ({ assert }) => {
    expectFormulaError(assert, () => compileFormula('f', 'isee ** 2'), /"\*" inatteso/)
    expectFormulaError(assert, () => compileFormula('f', 'process.exit(1)'), /carattere "\."/)
    expectFormulaError(assert, () => compileFormula('f', 'require(1)'), /funzione "require" non esiste/)
    expectFormulaError(assert, () => compileFormula('f', 'require("fs")'), /carattere "\""/)
    expectFormulaError(assert, () => compileFormula('f', 'a; b'), /carattere ";"/)
    expectFormulaError(assert, () => compileFormula('f', '(1 + 2'), /atteso "\)"/)
    // `globalThis` alone is just an unknown identifier: it fails at evaluation, naming the fact.
    expectFormulaError(assert, () => run('globalThis + 1'), /il dato "globalThis" manca/)
  })

  test('a missing or non-numeric input and a division by zero are explained', ({ assert }) => {
    expectFormulaError(assert, () => run('isee * 2', { isee: null }), /"isee" manca/)
    expectFormulaError(assert, () => run('isee * 2', { isee: 'molto' }), /non è un numero/)
    expectFormulaError(assert, () => run('1 / days', { days: 0 }), /divisione per zero/)
  })
})

test.group('Formulas | js: sandbox', () => {
  test('a js: formula runs isolated with decimal strings as inputs', ({ assert }) => {
    assert.equal(run('js: Number(isee) > 1000 ? "12.50" : "0"', { isee: '4300.01' }).toFixed(), '12.5')
    assert.equal(run('js: [1, 2, 3].reduce((a, b) => a + b, Number(base))', { base: '4' }).toFixed(), '10')
  })

  test('an endless loop is stopped by the time limit', ({ assert }) => {
    expectFormulaError(assert, () => run('js: (() => { while (true) {} })()'), /tempo massimo di 50 ms/)
  })

  test('unbounded allocation is stopped by the memory limit', ({ assert }) => {
    expectFormulaError(
      assert,
      () => run('js: (() => { const a = []; for (;;) a.push(new Array(100000).fill(1)); })()'),
      /(limite di memoria|tempo massimo)/
    )
  })

  test('process, require and globalThis are refused before running', ({ assert }) => {
    expectFormulaError(assert, () => compileFormula('f', 'js: process.exit(1)'), /usa "process"/)
    expectFormulaError(assert, () => compileFormula('f', 'js: require("fs")'), /usa "require"/)
    expectFormulaError(assert, () => compileFormula('f', 'js: globalThis.x = 1'), /usa "globalThis"/)
    expectFormulaError(assert, () => compileFormula('f', 'js: (1).constructor'), /usa "constructor"/)
  })

  test('names Node provides do not exist inside the isolate', ({ assert }) => {
    // Bracket access dodges the name check; the isolate still has no Node globals.
    expectFormulaError(assert, () => run('js: this["pro" + "cess"].exit(1)'), /errore|non disponibile/)
    expectFormulaError(assert, () => run('js: Buffer.from("x")'), /non disponibile/)
  })

  test('the engine keeps serving after sandbox failures', ({ assert }) => {
    // Published versions are immutable: each edit below is a new document, as in the designer.
    const withQuota = (expression: string) => {
      const doc = cloneDoc(loadRuleSet('nidi.nido-estivo'))
      doc.versions[0].formulas!.quota.expression = expression
      return doc
    }
    const facts = { assigned_fee: '529.00', service_days: 20, enrolled_days: 10 }
    const looping = withQuota('js: (() => { while (true) {} })()')
    assert.deepEqual(validateRuleSetDocument(looping), { ok: true })
    assert.throws(() => evaluate(looping, '2021-07-01', facts), /Formula "quota": superato il tempo massimo/)

    const hungry = withQuota('js: (() => { const a = []; for (;;) a.push(new Array(100000).fill(1)); })()')
    assert.throws(() => evaluate(hungry, '2021-07-01', facts), /Formula "quota"/)

    // Normal evaluations still work, and a js: formula works again on a fresh isolate.
    assert.equal(evaluate(loadRuleSet('nidi.nido-estivo'), '2021-07-01', facts).result.amount, '264.50')
    const plain = withQuota('js: String(Number(assigned_fee) / Number(service_days) * Number(enrolled_days))')
    assert.equal(evaluate(plain, '2021-07-01', facts).result.amount, '264.50')
  })
})
