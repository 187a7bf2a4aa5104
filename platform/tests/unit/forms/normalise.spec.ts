/**
 * normaliseFormData: a codice fiscale typed in lower case and an IBAN copied with spaces are the
 * same values as their canonical forms; the server stores and checks those (browser-safe, the portal
 * runs the same function).
 */
import { test } from '@japa/runner'
import { loadForms } from '#forms/load_forms'
import { validateSubmission } from '#forms/validator'
import { normaliseFormData } from '#shared/normalise'
import type { FormDefinition } from '#forms/types'

const forms = await loadForms()
const byId = (id: string): FormDefinition => forms.find((f) => f.id === id)!
type Obj = Record<string, any>

test.group('Form data normalisation', () => {
  test('lower-case codici fiscali become upper case at every depth, and then pass validation', ({ assert }) => {
    const form = byId('refezione.iscrizione')
    const data: Obj = structuredClone(form.sample)
    data.payer.fiscal_code = ' rssmra85t10a562s '
    data.student.fiscal_code = 'sttsgt90a01h501j'
    data.has_siblings = true
    data.siblings = [
      { first_name: 'Luca', last_name: 'Rossi', fiscal_code: 'rssmra85t10a56nh', school_name: 'Alberoni' },
    ]
    data.payment_channel = 'direct_debit'
    data.iban = 'it60 x054 2811 1010 0000 0123 456'
    delete data.payment_email

    const before = structuredClone(data)
    assert.isFalse(validateSubmission(form, data).valid, 'as typed, the codes are refused')
    const fixed = normaliseFormData(form.schema, data) as Obj
    assert.deepEqual(data, before, 'the input is not modified')
    assert.equal(fixed.payer.fiscal_code, 'RSSMRA85T10A562S')
    assert.equal(fixed.student.fiscal_code, 'STTSGT90A01H501J')
    assert.equal(fixed.siblings[0].fiscal_code, 'RSSMRA85T10A56NH')
    assert.equal(fixed.iban, 'IT60X0542811101000000123456')
    // Nothing else changes: names keep their case.
    assert.equal(fixed.siblings[0].first_name, 'Luca')
    assert.equal(fixed.payer.residence.municipality, data.payer.residence.municipality)
    const errors = validateSubmission(form, fixed).errors.filter((e) => /fiscal_code|iban/.test(e.path))
    assert.deepEqual(errors, [])
  })

  test('every shipped form: its codice fiscale fields are found, in nested objects and lists', ({ assert }) => {
    for (const form of forms) {
      const upper = JSON.stringify(form.sample)
      const codes = upper.match(/"fiscal_code":"([A-Z0-9]{16})"/g) ?? []
      const lower = JSON.parse(
        upper.replace(/"fiscal_code":"([A-Z0-9]{16})"/g, (_m, cf) => `"fiscal_code":"${cf.toLowerCase()}"`)
      )
      const fixed = normaliseFormData(form.schema, lower)
      assert.equal(JSON.stringify(fixed), upper, `${form.id}: ${codes.length} codes back in capitals`)
    }
  })

  test('data that is not what the schema says is left for the validator to refuse', ({ assert }) => {
    const form = byId('refezione.iscrizione')
    for (const data of [null, 42, 'text', [], { payer: 'not an object' }, { student: { fiscal_code: 12 } }]) {
      assert.deepEqual(normaliseFormData(form.schema, data), data)
    }
    const same = structuredClone(form.sample)
    assert.strictEqual(normaliseFormData(form.schema, same), same, 'nothing to change: the same object')
  })

  test('one schema normalises one sending after another; a node shared by two schemas follows each one', ({
    assert,
  }) => {
    const shared = { $ref: '#/$defs/code' }
    const schema = {
      $defs: { code: { type: 'string', format: 'codice-fiscale' } },
      properties: {
        'a': shared,
        'list': { type: 'array', items: { properties: { cf: { $ref: '#/$defs/code' } } } },
        '[]': { format: 'iban' },
      },
      anyOf: [{ properties: { b: { format: 'iban' } } }],
      then: { properties: { c: { format: 'codice-fiscale' } } },
    }
    const sendings: Array<[Obj, Obj]> = [
      [
        { zz: 'x y', a: ' ab ' },
        { zz: 'x y', a: 'AB' },
      ],
      [
        { 'a': 'cd', 'list': [{ cf: 'x1' }, { cf: 'y2', other: 'z' }], 'b': 'it 12', 'c': 'q', '[]': 'it 3 4' },
        { 'a': 'CD', 'list': [{ cf: 'X1' }, { cf: 'Y2', other: 'z' }], 'b': 'IT12', 'c': 'Q', '[]': 'IT34' },
      ],
      [
        { list: 'not a list', b: 7 },
        { list: 'not a list', b: 7 },
      ],
      [
        { a: 'ef', list: [{ cf: 'w3' }], unknown: { cf: 'keep' } },
        { a: 'EF', list: [{ cf: 'W3' }], unknown: { cf: 'keep' } },
      ],
    ]
    for (const round of [1, 2]) {
      for (const [given, expected] of sendings) {
        assert.deepEqual(normaliseFormData(schema, structuredClone(given)), expected, `round ${round}`)
      }
    }
    // The same node under another schema resolves to that schema's definition.
    const other = { $defs: { code: { type: 'string', format: 'iban' } }, properties: { a: shared } }
    assert.deepEqual(normaliseFormData(other, { a: ' a b ' }), { a: 'AB' })
    assert.deepEqual(normaliseFormData(schema, { a: ' a b ' }), { a: 'A B' })
  })
})
