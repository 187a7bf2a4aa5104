/**
 * The BLOCCO rule editor's logic (shared/blocco_rule.ts): the fields a rule can block, named as
 * the validator names them, and what keeps a rule from being saved.
 */
import { test } from '@japa/runner'
import { loadForms } from '#forms/load_forms'
import {
  blockableFields,
  bloccoProblems,
  fieldPointer,
  fieldsRead,
  fieldsWithRules,
  tryRows,
} from '#shared/blocco_rule'
import { fieldKey, fieldsFromSchema } from '#shared/condition_model'
import type { Blocco } from '#forms/types'

const forms = await loadForms()

test.group('BLOCCO rule editor', () => {
  test('a field of the condition editor is named by the JSON Pointer the validator answers with', ({ assert }) => {
    assert.equal(fieldPointer({ fact: 'isee_value' }), '/isee_value')
    assert.equal(fieldPointer({ fact: 'siblings', path: '$[0].school_name' }), '/siblings/0/school_name')
    assert.equal(fieldPointer({ fact: 'address', path: '$.city' }), '/address/city')
    assert.equal(fieldPointer({ fact: 'a/b', path: "$['x~y']" }), '/a~1b/x~0y')
    assert.isNull(fieldPointer({ fact: 'siblings', path: '$.length' }))
  })

  test('every field a shipped rule blocks is offered by its form, and every shipped rule has no problem', ({
    assert,
  }) => {
    let rules = 0
    for (const form of forms) {
      const offered = new Set(blockableFields(fieldsFromSchema(form.schema, form.uiSchema)).map((f) => f.pointer))
      for (const rule of form.blocchi) {
        rules++
        for (const path of rule.paths) assert.isTrue(offered.has(path), `${form.id} ${rule.id}: ${path}`)
        const others = form.blocchi.filter((b) => b !== rule).map((b) => b.id)
        assert.deepEqual(bloccoProblems(rule, form, others), [], `${form.id} ${rule.id}`)
      }
    }
    assert.isAbove(rules, 30)
  })

  test('each part of a rule that is wrong is named', ({ assert }) => {
    const form = forms.find((f) => f.blocchi.length > 0)!
    const good = form.blocchi[0]
    const keys = (rule: Blocco, others: string[] = []) => bloccoProblems(rule, form, others).map((p) => p.key)
    assert.deepEqual(keys({ ...good, id: 'Not An Id' }), ['id'])
    assert.deepEqual(keys(good, [good.id]), ['idTaken'])
    assert.deepEqual(keys({ ...good, condition: { fact: 'x', operator: 'likes' } as never }), ['condition'])
    assert.deepEqual(keys({ ...good, condition: { condition: 'nowhere' } }), ['condition'])
    assert.deepEqual(keys({ ...good, paths: [] }), ['paths'])
    assert.deepEqual(keys({ ...good, paths: ['/no_such_field'] }), ['pathUnknown'])
    assert.deepEqual(keys({ ...good, message: { it: ' ', en: 'x' } }), ['messageIt'])
    assert.deepEqual(keys({ ...good, message: { it: 'x', en: '' } }), ['messageEn'])
    assert.deepEqual(keys({ ...good, reference: '' }), ['reference'])
    assert.deepEqual(keys({ ...good, description: { it: 'Fratelli', en: ' ' } }), ['description'])
    assert.deepEqual(keys({ ...good, description: { it: 'Fratelli', en: 'Siblings' } }), [])
    // Ids as the server's check of a draft wants them.
    assert.deepEqual(keys({ ...good, id: 'with.dot' }), ['id'])
    assert.deepEqual(keys({ ...good, id: '1st' }), ['id'])
  })

  test('the fields a condition reads, compared fields included, for the builder to mark', ({ assert }) => {
    const read = fieldsRead({
      all: [
        { fact: 'a', operator: 'equal', value: true },
        { not: { fact: 'b', path: '$[0].x', operator: 'isEmpty' } },
        { any: [{ fact: 'c', operator: 'greaterThan', value: { fact: 'd' } }, { condition: 'named' }] },
      ],
    })
    assert.deepEqual([...read].sort(), [fieldKey('a'), fieldKey('b', '$[0].x'), fieldKey('c'), fieldKey('d')].sort())
  })
})

test.group('Form builder: fields that rules read are marked', () => {
  test('a rule marks the fields it compares, those it compares them with, those of its named conditions and those it blocks', ({
    assert,
  }) => {
    const form = structuredClone(forms.find((f) => f.id === 'refezione.iscrizione')!)
    const before = fieldsWithRules(form)
    assert.isTrue(before.has('has_siblings'))
    for (const key of ['class_year', 'tariff_acknowledged', 'domicile']) assert.isFalse(before.has(key), key)
    form.conditions = {
      ...form.conditions,
      adult: { fact: 'class_year', operator: 'exists' },
    }
    form.blocchi = [
      ...form.blocchi,
      {
        id: 'new_rule',
        condition: {
          any: [
            { condition: 'adult' },
            { fact: 'isee_value', operator: 'greaterThan', value: { fact: 'tariff_acknowledged' } },
          ],
        },
        paths: ['/domicile/city'],
        message: { it: 'x', en: 'x' },
        reference: 'x',
        examples: { fires: {}, passes: {} },
      },
    ]
    const after = fieldsWithRules(form)
    for (const key of ['class_year', 'tariff_acknowledged', 'domicile']) assert.isTrue(after.has(key), key)
  })
})

test.group('BLOCCO try result', () => {
  test('field by field, in the order of the form, with the rules that stayed quiet apart', ({ assert }) => {
    const form = forms.find((f) => f.blocchi.length > 10)!
    const fields = fieldsFromSchema(form.schema, form.uiSchema)
    const { rows, quiet } = tryRows(
      {
        form: form.id,
        version: 1,
        draft: false,
        fired: 3,
        rules: [
          { id: 'a', paths: ['/nowhere'], fires: true, unevaluable: true, message: 'A' },
          { id: 'b', paths: ['/isee_value'], fires: true, unevaluable: false, message: 'B' },
          { id: 'c', paths: ['/siblings'], fires: true, unevaluable: false, message: 'C' },
          { id: 'd', paths: ['/siblings'], fires: false, unevaluable: false, message: 'D' },
        ],
        fields: [
          { path: '/nowhere', rules: [{ rule: 'a', message: 'A' }] },
          { path: '/isee_value', rules: [{ rule: 'b', message: 'B' }] },
          { path: '/siblings', rules: [{ rule: 'c', message: 'C' }] },
        ],
      },
      fields
    )
    assert.deepEqual(
      rows.map((r) => r.pointer),
      ['/siblings', '/isee_value', '/nowhere']
    )
    assert.equal(rows[1].label.en, 'ISEE value (euro)')
    assert.isTrue(rows[2].unknown)
    assert.isTrue(rows[2].rules[0].unevaluable)
    assert.isFalse(rows[0].rules[0].unevaluable)
    assert.deepEqual(quiet, ['d'])
  })
})
