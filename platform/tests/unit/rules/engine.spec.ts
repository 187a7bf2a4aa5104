import { test } from '@japa/runner'
import {
  evaluate,
  evaluateMany,
  FactsValidationError,
  NoVersionInForceError,
  validateRuleSetDocument,
} from '../../../app/rules/engine.js'
import { cloneDoc, loadRuleSet } from './helpers.js'

const AT = '2021-10-01'
const amount = (id: string, facts: Record<string, unknown>, at = AT) =>
  evaluate(loadRuleSet(id), at, facts, { trace: false }).result.amount

test.group('Rules engine | band boundaries', () => {
  test('refezione switches band exactly at 4,300.00/4,300.01 and 9,000.00/9,000.01', ({ assert }) => {
    const meal = (isee: unknown) => amount('refezione.tariffa', { residence: 'piacenza', isee })
    assert.equal(meal('4300.00'), '1.79')
    assert.equal(meal(4300), '1.79')
    assert.equal(meal('4300.01'), '3.43')
    assert.equal(meal(4300.01), '3.43')
    assert.equal(meal('9000.00'), '3.43')
    assert.equal(meal('9000.01'), '5.69')
    assert.equal(meal(9000.01), '5.69')
  })

  test('trasporto is exempt up to 4,300.00, ridotta up to 9,000.00, intera above', ({ assert }) => {
    const bus = (isee: unknown) =>
      amount('trasporto.tariffa', { residence: 'piacenza', route: 'andata_ritorno', plan: 'mensile', isee })
    assert.equal(bus('4300.00'), '0.00')
    assert.equal(bus('4300.01'), '23.52')
    assert.equal(bus('9000.00'), '23.52')
    assert.equal(bus('9000.01'), '39.03')
  })

  test('nidi.retta: minimum up to 3,000.00, 1.79 % up to 27,000.00, maximum above', ({ assert }) => {
    const fee = (isee: unknown) => amount('nidi.retta', { residence: 'piacenza', isee })
    assert.equal(fee('3000.00'), '53.50')
    assert.equal(fee('3000.01'), '53.70')
    assert.equal(fee('27000.00'), '483.30')
    assert.equal(fee('27000.01'), '529.00')
  })

  test('nidi.regione: band 1 up to 3,000.00, 55 % up to 26,000.00, unchanged above', ({ assert }) => {
    const fee = (isee: unknown, personalised_fee: string) => amount('nidi.regione', { isee, personalised_fee })
    assert.equal(fee('3000.00', '53.50'), '0.00')
    assert.equal(fee('3000.01', '53.70'), '29.54')
    assert.equal(fee('26000.00', '465.40'), '255.97')
    assert.equal(fee('26000.01', '465.40'), '465.40')
  })

  test('nidi.retta-mese absence steps change at 5, 10, 15 and 21 days', ({ assert }) => {
    const month = (run: number) => amount('nidi.retta-mese', { assigned_fee: '100.00', longest_absence_run: run })
    assert.deepEqual([4, 5, 9, 10, 14, 15, 20, 21].map(month), [
      '100.00',
      '95.00',
      '95.00',
      '90.00',
      '90.00',
      '85.00',
      '85.00',
      '70.00',
    ])
  })
})

test.group('Rules engine | time travel', () => {
  test('a past date keeps the past result and the current date the current one', ({ assert }) => {
    const doc = loadRuleSet('refezione.tariffa')
    const facts = { residence: 'piacenza', isee: 12000 }
    const past = evaluate(doc, '2018-10-01', facts)
    const now = evaluate(doc, '2021-10-01', facts)
    assert.equal(past.version, 1)
    assert.equal(past.result.amount, '5.50')
    assert.equal(now.version, 2)
    assert.equal(now.result.amount, '5.69')
    assert.equal(evaluate(doc, '2018-12-31', facts).result.amount, '5.50')
    assert.equal(evaluate(doc, '2019-01-01', facts).result.amount, '5.69')
  })

  test('publishing a new dated version changes only dates from its start', ({ assert }) => {
    const doc = cloneDoc(loadRuleSet('refezione.tariffa'))
    const current = doc.versions[1]
    const next = structuredClone(current)
    current.valid_to = '2026-08-31'
    next.version = 3
    next.valid_from = '2026-09-01'
    next.tables!.refezione.cells.intera['1_figlio'] = '6.00'
    next.tests = []
    doc.versions.push(next)
    assert.deepEqual(validateRuleSetDocument(doc), { ok: true })
    const facts = { residence: 'piacenza', isee: 12000 }
    assert.equal(evaluate(doc, '2026-08-31', facts).result.amount, '5.69')
    assert.equal(evaluate(doc, '2026-09-01', facts).result.amount, '6.00')
    assert.equal(evaluate(doc, '2018-10-01', facts).result.amount, '5.50')
  })

  test('a date with no version in force is refused', ({ assert }) => {
    assert.throws(
      () => evaluate(loadRuleSet('refezione.tariffa'), '2017-01-01', { residence: 'other' }),
      /Nessuna versione/
    )
    const error = (() => {
      try {
        evaluate(loadRuleSet('nidi.regione'), '2022-09-01', { personalised_fee: '100.00' })
      } catch (e) {
        return e
      }
    })()
    assert.instanceOf(error, NoVersionInForceError)
  })

  test('overlapping versions are refused before publishing', ({ assert }) => {
    const doc = cloneDoc(loadRuleSet('refezione.tariffa'))
    doc.versions[0].valid_to = '2019-03-31'
    const check = validateRuleSetDocument(doc)
    assert.isFalse(check.ok)
    assert.match((check as { errors: string[] }).errors.join('\n'), /si sovrappongono/)
  })
})

test.group('Rules engine | facts validation', () => {
  test('every wrong fact is named in the error', ({ assert }) => {
    try {
      evaluate(loadRuleSet('refezione.tariffa'), AT, {
        residence: 'milano',
        isee: '12.000,00',
        children_in_paid_services: 0,
        disability_104: 'yes',
        sibling: 2,
      })
      assert.fail('expected a FactsValidationError')
    } catch (error) {
      assert.instanceOf(error, FactsValidationError)
      const errors = (error as FactsValidationError).errors
      assert.sameMembers(
        errors.map((e) => e.fact),
        ['residence', 'isee', 'children_in_paid_services', 'disability_104', 'sibling']
      )
      assert.match(errors.find((e) => e.fact === 'residence')!.message, /piacenza/)
      assert.match(errors.find((e) => e.fact === 'isee')!.message_en, /1234\.56/)
    }
  })

  test('a missing required fact is named', ({ assert }) => {
    try {
      evaluate(loadRuleSet('nidi.nido-estivo'), AT, { assigned_fee: '529.00' })
      assert.fail('expected a FactsValidationError')
    } catch (error) {
      assert.sameMembers(
        (error as FactsValidationError).errors.map((e) => e.fact),
        ['service_days', 'enrolled_days']
      )
    }
  })

  test('missing optional booleans default to false and a missing ISEE to "not presented"', ({ assert }) => {
    const result = evaluate(loadRuleSet('refezione.tariffa'), AT, { residence: 'piacenza' }).result
    assert.equal(result.amount, '5.69')
    assert.equal(result.exempt, false)
  })

  test("the caller's facts object is not modified by defaults", ({ assert }) => {
    const facts = { residence: 'piacenza' }
    evaluate(loadRuleSet('refezione.tariffa'), AT, facts)
    assert.deepEqual(facts, { residence: 'piacenza' })
  })
})

test.group('Rules engine | trace', () => {
  test('the trace of a meal fee names the band, the table cell and the source', ({ assert }) => {
    const { trace, result } = evaluate(loadRuleSet('refezione.tariffa'), AT, {
      residence: 'piacenza',
      isee: '12000.00',
      children_in_paid_services: 2,
    })
    assert.equal(result.amount, '5.12')
    const band = trace.find((e) => e.step === 'fascia_isee')!
    assert.equal(band.rule, 'isee_intera')
    assert.equal(band.message, 'ISEE 12.000,00 oltre 9.000,00 → fascia Intera')
    assert.match(band.source!, /Allegato D/)
    const cell = trace.find((e) => e.kind === 'table')!
    assert.include(cell, { table: 'refezione', row: 'intera', column: '2_figli', value: '5.12' })
    assert.match(cell.source!, /Tariffa con decorrenza 1 gennaio 2019/)
    const output = trace.find((e) => e.kind === 'output' && e.output === 'amount')!
    assert.equal(output.value, '5.12')
  })

  test('the trace of a formula shows expression, inputs and value', ({ assert }) => {
    const { trace } = evaluate(loadRuleSet('nidi.retta'), AT, { residence: 'piacenza', isee: 10000, sibling_order: 2 })
    const formula = trace.find((e) => e.kind === 'formula' && e.formula === 'retta_personalizzata')!
    assert.equal(formula.expression, 'isee * percentuale_retta_personalizzata')
    assert.deepEqual(formula.inputs, { isee: 10000 })
    assert.equal(formula.value, '179')
    assert.isOk(trace.find((e) => e.kind === 'formula' && e.formula === 'pluriutenza'))
    assert.isOk(trace.find((e) => e.step === 'part_time' && e.kind === 'skip'))
  })

  test('with trace off no explanation is built and the result is the same', ({ assert }) => {
    const doc = loadRuleSet('trasporto.tariffa')
    const facts = { residence: 'piacenza', route: 'solo_andata', plan: 'annuale', school_level: 'infanzia', isee: 8000 }
    const withTrace = evaluate(doc, AT, facts)
    const without = evaluate(doc, AT, facts, { trace: false })
    assert.deepEqual(without.trace, [])
    assert.deepEqual(without.result, withTrace.result)
    assert.equal(without.result.amount, '84.38')
  })
})

test.group('Rules engine | batch path', () => {
  test('evaluateMany gives the same results as evaluate, in order', ({ assert }) => {
    const doc = loadRuleSet('refezione.tariffa')
    const facts = [0, 4300, 4300.01, 9000, 9000.01, null].map((isee) => ({ residence: 'piacenza', isee }))
    const batch = evaluateMany(doc, AT, facts, { trace: false })
    assert.deepEqual(
      batch.map((r) => r.result.amount),
      ['1.79', '1.79', '3.43', '3.43', '5.69', '5.69']
    )
    facts.forEach((f, i) => assert.deepEqual(evaluate(doc, AT, f).result, batch[i].result))
  })
})

test.group('Rules engine | document checks', () => {
  test('a document with a broken table, formula and condition lists each problem', ({ assert }) => {
    const doc = cloneDoc(loadRuleSet('nidi.retta'))
    doc.versions[0].formulas!.pluriutenza.expression = 'retta * (1 - riduzione_pluriutenza'
    const check = validateRuleSetDocument(doc)
    assert.isFalse(check.ok)
    assert.match((check as { errors: string[] }).errors.join('\n'), /pluriutenza/)

    const doc2 = cloneDoc(loadRuleSet('refezione.tariffa'))
    delete (doc2.versions[1].tables!.refezione.cells.minima as Record<string, string>)['2_figli']
    assert.match((validateRuleSetDocument(doc2) as { errors: string[] }).errors.join('\n'), /cella minima\/2_figli/)

    const doc3 = cloneDoc(loadRuleSet('refezione.tariffa'))
    doc3.versions[1].steps[0].cases![0].when = { condition: 'does_not_exist' }
    assert.match((validateRuleSetDocument(doc3) as { errors: string[] }).errors.join('\n'), /does_not_exist/)
  })

  test('a constant without a reference is refused', ({ assert }) => {
    const doc = cloneDoc(loadRuleSet('nidi.retta'))
    doc.versions[0].parameters!.retta_minima.reference = ''
    assert.match((validateRuleSetDocument(doc) as { errors: string[] }).errors.join('\n'), /retta_minima/)
  })
})
