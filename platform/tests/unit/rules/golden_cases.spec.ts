import { test } from '@japa/runner'
import { runTestCases, validateRuleSetDocument } from '../../../app/rules/engine.js'
import { loadAllRuleSets } from './helpers.js'

const EXPECTED_IDS = [
  'nidi.centro-gioco',
  'nidi.nido-estivo',
  'nidi.regione',
  'nidi.retta',
  'nidi.retta-mese',
  'nidi.tempo-prolungato',
  'refezione.tariffa',
  'trasporto.tariffa',
]

test.group('Rules engine | golden cases of every rule set', () => {
  test('the Piacenza defaults ship exactly the eight agreed rule sets', ({ assert }) => {
    assert.deepEqual(
      loadAllRuleSets()
        .map((entry) => entry.doc.id)
        .sort(),
      EXPECTED_IDS
    )
  })

  for (const { file, doc } of loadAllRuleSets()) {
    test(`${doc.id} is a valid document stored under its service folder`, ({ assert }) => {
      assert.deepEqual(validateRuleSetDocument(doc), { ok: true })
      assert.isTrue(file.endsWith(`/${doc.service}/${doc.id}.json`))
    })

    test(`${doc.id} passes all its golden cases`, ({ assert }) => {
      const report = runTestCases(doc)
      assert.isAbove(report.cases.length, 3, 'every rule set has golden cases')
      for (const outcome of report.cases) {
        assert.isTrue(outcome.ok, `${outcome.name}: ${outcome.diffs.join('; ')} ${outcome.error ?? ''}`)
      }
      assert.equal(report.failed, 0)
    })
  }

  test('a wrong expectation is reported as a failed case with a readable diff', ({ assert }) => {
    const { doc } = loadAllRuleSets().find((entry) => entry.doc.id === 'nidi.centro-gioco')!
    const broken = structuredClone(doc)
    broken.versions[0].tests = [
      {
        name: 'This case expects a wrong ticket on purpose.',
        at: '2021-10-01',
        facts: { child_order: 1 },
        expected: { amount: '9.99' },
      },
    ]
    const report = runTestCases(broken)
    assert.equal(report.failed, 1)
    assert.deepEqual(report.cases[0].diffs, ['amount: atteso "9.99", ottenuto "3.11"'])
  })
})
