/**
 * Units and the family's summary: every amount says what it is for, and the explanation a family
 * reads is plain words in their language, from the rule set's own data.
 */
import { test } from '@japa/runner'
import { evaluate, UNITS, validateRuleSetDocument } from '../../../app/rules/engine.js'
import { summarise, type SummaryLang } from '../../../app/rules/summary.js'
import { cloneDoc, loadAllRuleSets, loadRuleSet } from './helpers.js'
import type { RuleSetDocument } from '../../../app/rules/types.js'

function explained(doc: RuleSetDocument, at: string, facts: Record<string, unknown>, lang: SummaryLang) {
  const evaluation = evaluate(doc, at, facts)
  const version = doc.versions.find((v) => v.version === evaluation.version)!
  return { evaluation, summary: summarise(version, { ...evaluation, facts }, lang) }
}

const REFEZIONE = loadRuleSet('refezione.tariffa')
const TRASPORTO = loadRuleSet('trasporto.tariffa')
const AT = '2026-10-01'

test.group('Units of amounts', () => {
  test('every money output of every shipped rule set version says its unit', ({ assert }) => {
    for (const { file, doc } of loadAllRuleSets()) {
      assert.deepEqual(validateRuleSetDocument(doc), { ok: true }, file)
      for (const v of doc.versions) {
        for (const [name, output] of Object.entries(v.outputs)) {
          if (output.type !== 'money') continue
          assert.isDefined(output.unit, `${doc.id} v${v.version}: ${name} has no unit`)
        }
      }
    }
  })

  test('document validation refuses a money output without a unit, or with one that is not a unit', ({ assert }) => {
    const missing = cloneDoc(REFEZIONE)
    delete missing.versions[1].outputs.amount.unit
    const check = validateRuleSetDocument(missing)
    assert.isFalse(check.ok)
    assert.match((check as { errors: string[] }).errors.join('\n'), /"amount" è un importo e deve dire la sua unità/)

    const wrong = cloneDoc(REFEZIONE)
    ;(wrong.versions[1].outputs.amount as { unit: unknown }).unit = 'pasto'
    assert.isFalse(validateRuleSetDocument(wrong).ok)

    // A unit read from an output whose steps may give something else than a unit.
    const computed = cloneDoc(TRASPORTO)
    const step = computed.versions[0].steps.find((s) => s.id === 'unita')!
    step.cases![1].value = 'mese'
    const computedCheck = validateRuleSetDocument(computed)
    assert.isFalse(computedCheck.ok)
    assert.match((computedCheck as { errors: string[] }).errors.join('\n'), /valori fissi tra meal, day/)
  })

  test('the canteen fee is per meal; the transport pass per month or per year, as chosen', ({ assert }) => {
    assert.deepEqual(evaluate(REFEZIONE, AT, { residence: 'piacenza', isee: 5000 }).units, { amount: 'meal' })
    const trip = { residence: 'piacenza', route: 'andata_ritorno', isee: 12000 }
    const monthly = evaluate(TRASPORTO, AT, { ...trip, plan: 'mensile' })
    assert.equal(monthly.result.amount, '39.03')
    assert.deepEqual(monthly.units, { amount: 'month' })
    const yearly = evaluate(TRASPORTO, AT, { ...trip, plan: 'annuale', school_level: 'primaria' })
    assert.equal(yearly.result.amount, '249.75')
    assert.deepEqual(yearly.units, { amount: 'year' })
    assert.deepEqual(UNITS, ['meal', 'day', 'week', 'month', 'year', 'once'])
  })
})

test.group('The fee explained to a family', () => {
  test('a resident with ISEE 5.000 and a second child: band, reasons, amount and unit, in Italian', ({ assert }) => {
    const facts = { residence: 'piacenza', isee: 5000, children_in_paid_services: 2 }
    const { evaluation, summary } = explained(REFEZIONE, AT, facts, 'it')
    assert.equal(evaluation.result.amount, '3.09')
    assert.deepEqual(summary, {
      band: 'Ridotta',
      reasons: [
        "Residente: la tariffa dipende dall'ISEE della famiglia.",
        'ISEE di 5.000,00 €, da 4.300,01 a 9.000,00 €: fascia Ridotta.',
        '2 figli nei servizi a pagamento: riduzione del 10%.',
      ],
      amount: '3.09',
      unit: 'meal',
      exempt: false,
      text:
        "Tariffa: 3,09 € a pasto, fascia Ridotta. Residente: la tariffa dipende dall'ISEE della famiglia. " +
        'ISEE di 5.000,00 €, da 4.300,01 a 9.000,00 €: fascia Ridotta. 2 figli nei servizi a pagamento: riduzione del 10%.',
    })
    // Nothing of the operator's trace reaches the family.
    assert.notMatch(summary.text, /colonna|1_figlio|ROUND_HALF_UP|in vigore dal|amount =/)
  })

  test('the same in English: English band names and English number formats', ({ assert }) => {
    const facts = { residence: 'piacenza', isee: 12000, disability_104: true }
    const { summary } = explained(REFEZIONE, AT, facts, 'en')
    assert.equal(summary.band, 'Reduced')
    assert.equal(summary.amount, '3.43')
    assert.equal(summary.unit, 'meal')
    assert.deepEqual(summary.reasons, [
      "Resident: the fee depends on the family's ISEE.",
      'ISEE of €12,000.00, above €9,000.00: Full band.',
      'Certified disability (L. 104/1992): the next lower band applies, Reduced instead of Full.',
    ])
    assert.match(summary.text, /^Fee: €3\.43 per meal, Reduced band\. /)
    assert.notMatch(summary.text, /[0-9]\.[0-9]{3},|Ridotta|Intera|fascia/)
  })

  test('exemptions, non-residents and the transport pass read plainly', ({ assert }) => {
    const foster = explained(REFEZIONE, AT, { residence: 'piacenza', isee: 30000, foster_care: true }, 'it').summary
    assert.isTrue(foster.exempt)
    assert.equal(
      foster.text,
      'Esente: nessuna tariffa da pagare. Bambino residente in affido familiare: esente dalla tariffa.'
    )

    const away = explained(REFEZIONE, AT, { residence: 'other', isee: 3000 }, 'en').summary
    assert.equal(away.amount, '5.89')
    assert.deepEqual(away.reasons, [
      'The child does not live in the comune: the flat fee for non-residents applies, with no reductions.',
    ])

    const trip = { residence: 'piacenza', route: 'solo_andata', plan: 'annuale', school_level: 'infanzia' }
    const pass = explained(TRASPORTO, AT, { ...trip, isee: 8000, transport_children: 2 }, 'it').summary
    assert.equal(pass.unit, 'year')
    assert.equal(pass.amount, '71.72')
    assert.equal(pass.band, 'Ridotta')
    assert.equal(
      pass.text,
      "Tariffa: 71,72 € all'anno, fascia Ridotta. ISEE di 8.000,00 €, da 4.300,01 a 9.000,00 €: tariffa ridotta del 40%. " +
        'Abbonamento di sola andata o solo ritorno. 2 figli usano il trasporto: riduzione del 15% per ciascuno.'
    )
    const monthly = explained(TRASPORTO, AT, { ...trip, plan: 'mensile', isee: 20000 }, 'en').summary
    assert.match(monthly.text, /^Fee: €19\.51 per month, Full band\./)
  })

  test('a rule set without summary data still gives amount and unit, with no reasons', ({ assert }) => {
    const doc = loadRuleSet('nidi.retta')
    const { summary } = explained(doc, AT, { residence: 'piacenza', isee: 12000 }, 'it')
    assert.equal(summary.unit, 'month')
    assert.deepEqual(summary.reasons, [])
    assert.match(summary.text, /^Tariffa: [0-9.]+,[0-9]{2} € al mese\.$/)
  })

  test('document validation refuses explain texts without English and unknown formats', ({ assert }) => {
    const doc = cloneDoc(REFEZIONE)
    const step = doc.versions[1].steps.find((s) => s.id === 'regime')!
    step.cases![0].explain = { it: 'Solo italiano' } as never
    step.cases![1].explain = { it: '{isee|lira}', en: '{isee|lira}' }
    doc.versions[1].summary = { amount: 'band' }
    const errors = (validateRuleSetDocument(doc) as { errors: string[] }).errors.join('\n')
    assert.match(errors, /"explain" deve avere il testo in italiano \("it"\) e in inglese \("en"\)/)
    assert.match(errors, /formati ammessi money, eur, pct/)
    assert.match(errors, /"summary.amount" deve nominare un output di tipo money/)
  })
})
