/**
 * The condition editor's model (shared/condition_model.ts) and the plain description
 * (shared/condition_text.ts): every condition shipped with the forms and the rule sets, and
 * generated ones, come back from the editor exactly as they went in; what the editor cannot show
 * as controls is kept as JSON, never dropped.
 */
import { test } from '@japa/runner'
import fc from 'fast-check'
import { loadForms } from '#forms/load_forms'
import {
  fieldKey,
  bloccoFields,
  fieldsFromSchema,
  hasRaw,
  newLeaf,
  operatorsFor,
  parseAmount,
  ruleSetFields,
  toCondition,
  toModel,
  valueForOperator,
  type EditorNode,
} from '#shared/condition_model'
import { describeCondition } from '#shared/condition_text'
import { evaluateCondition, type Condition } from '#shared/conditions'
import { loadAllRuleSets } from '../rules/helpers.js'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Every condition found in a document: BLOCCO rules, named conditions, `when`, `required_when`. */
function conditionsIn(node: unknown, where: string, out: Array<{ where: string; condition: unknown }>) {
  if (Array.isArray(node)) return node.forEach((n, i) => conditionsIn(n, `${where}/${i}`, out))
  if (!isObject(node)) return
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'condition' || key === 'when' || key === 'required_when') && isObject(value)) {
      out.push({ where: `${where}/${key}`, condition: value })
    } else if (key === 'conditions' && isObject(value)) {
      for (const [name, c] of Object.entries(value)) out.push({ where: `${where}/conditions/${name}`, condition: c })
    }
    conditionsIn(value, `${where}/${key}`, out)
  }
}

const forms = await loadForms()
const shipped: Array<{ where: string; condition: unknown }> = []
for (const form of forms) conditionsIn(form, form.id, shipped)
for (const { doc } of loadAllRuleSets()) conditionsIn(doc, doc.id, shipped)

function leaves(node: EditorNode): Array<Extract<EditorNode, { kind: 'leaf' }>> {
  if (node.kind === 'leaf') return [node]
  if (node.kind === 'group') return node.children.flatMap(leaves)
  if (node.kind === 'not') return leaves(node.child)
  return []
}

// Generated conditions in our syntax, with every shape the editor edits.
const factName = fc.constantFrom('isee', 'residence', 'siblings', 'has_siblings', 'children', 'birth_date')
const scalar = fc.oneof(
  fc.boolean(),
  fc.integer({ min: -1000, max: 100000 }),
  fc.constantFrom('piacenza', 'other', '4300.01', '', '2020-01-31')
)
const extra = fc.record(
  { name: fc.string({ maxLength: 8 }), priority: fc.integer({ min: 1, max: 9 }) },
  { requiredKeys: [] }
)
const leaf = fc.oneof(
  fc.record(
    {
      fact: factName,
      operator: fc.constantFrom('equal', 'notEqual', 'lessThan', 'greaterThanInclusive', 'contains', 'doesNotContain'),
      value: scalar,
      path: fc.constantFrom('$.length', '$[0].school_name', '$.city'),
      params: fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
    },
    { requiredKeys: ['fact', 'operator', 'value'] }
  ),
  fc.record({ fact: factName, operator: fc.constantFrom('in', 'notIn'), value: fc.array(scalar, { maxLength: 4 }) }),
  fc.record({ fact: factName, operator: fc.constantFrom('exists', 'isEmpty', 'isNotEmpty') }),
  fc.record({ fact: factName, operator: fc.constantFrom('equal', 'notEqual'), value: fc.constant(null) }),
  fc.record({
    fact: factName,
    operator: fc.constantFrom('greaterThan', 'equal', 'in'),
    value: fc.record({ fact: factName, path: fc.constant('$.length') }, { requiredKeys: ['fact'] }),
  }),
  fc.record({ condition: fc.constantFrom('is_resident', 'isee_presented') })
)
const { condition: generated } = fc.letrec<{ condition: unknown }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(fc.array(tie('condition'), { maxLength: 4 }), extra).map(([all, e]) => ({ ...e, all })),
    fc.tuple(fc.array(tie('condition'), { maxLength: 4 }), extra).map(([any, e]) => ({ ...e, any })),
    fc.tuple(tie('condition'), extra).map(([not, e]) => ({ ...e, not }))
  ),
}))

test.group('Condition editor | round trip', () => {
  test('every shipped condition comes back unchanged, and every one is edited with controls', ({ assert }) => {
    assert.isAbove(shipped.length, 100)
    for (const { where, condition } of shipped) {
      const model = toModel(condition)
      assert.deepEqual(toCondition(model), condition, where)
      assert.isFalse(hasRaw(model), `${where} would open as JSON`)
    }
  })

  test('generated conditions come back unchanged, with no part shown as JSON', () => {
    fc.assert(
      fc.property(generated, (condition) => {
        const model = toModel(condition)
        if (hasRaw(model)) throw new Error(`shown as JSON: ${JSON.stringify(condition)}`)
        const back = toCondition(model)
        if (JSON.stringify(sorted(back)) !== JSON.stringify(sorted(condition))) {
          throw new Error(`${JSON.stringify(condition)} came back as ${JSON.stringify(back)}`)
        }
      }),
      { numRuns: 500 }
    )
  })

  test('any JSON at all comes back unchanged (what cannot be edited is kept as JSON)', () => {
    const anything = fc.oneof(fc.jsonValue({ maxDepth: 4 }), generated.map(mutate))
    fc.assert(
      fc.property(anything, (value) => {
        const back = toCondition(toModel(value))
        if (JSON.stringify(sorted(back)) !== JSON.stringify(sorted(value))) {
          throw new Error(`${JSON.stringify(value)} came back as ${JSON.stringify(back)}`)
        }
      }),
      { numRuns: 500 }
    )
  })

  test('what the editor cannot show opens as JSON with its reason, at its place only', ({ assert }) => {
    const condition = {
      all: [
        { fact: 'isee', operator: 'lessThan', value: 5000 },
        { fact: 'isee', operator: 'between', value: [1, 2] },
        { fact: 'isee', operator: 'equal', value: { amount: 1 } },
        { fact: 'isee', operator: 'equal', value: 1, comment: 'x' },
        { fact: 'isee', operator: 'exists', value: 1 },
        { any: 'no' },
      ],
    }
    const model = toModel(condition)
    assert.equal(model.kind, 'group')
    const children = (model as Extract<EditorNode, { kind: 'group' }>).children
    assert.deepEqual(
      children.map((c) => (c.kind === 'raw' ? c.reason : c.kind)),
      ['leaf', 'operator', 'value', 'unknown-keys', 'value', 'not-a-list']
    )
    assert.deepEqual(toCondition(model), condition)
    assert.equal(toModel('text').kind, 'raw')
    assert.equal(toModel(null).kind, 'raw')
  })
})

/** Keys sorted: JSON key order means nothing to a condition. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted)
  if (!isObject(value)) return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted(value[k])])
  )
}

/** A condition damaged in one of the ways a hand-written JSON gets damaged. */
function mutate(condition: unknown): unknown {
  if (!isObject(condition)) return condition
  if ('all' in condition) return { ...condition, all: { broken: true } }
  if ('fact' in condition) return { ...condition, operator: 'likes', extra: [1] }
  if ('not' in condition) return { ...condition, any: [] }
  return { ...condition, condition: 3 }
}

test.group('Condition editor | fields', () => {
  const form = forms.find((f) => f.blocchi.length > 10 && f.tariff_preview)!
  const fields = fieldsFromSchema(form.schema, form.uiSchema)

  test('the fields of a form carry their type, their label in both languages and their choices', ({ assert }) => {
    const byKey = new Map(fields.map((f) => [fieldKey(f.fact, f.path), f]))
    const isee = byKey.get(fieldKey('isee_value'))!
    assert.equal(isee.type, 'number')
    assert.isTrue(isee.money)
    assert.equal(isee.label.en, 'ISEE value (euro)')
    const choice = fields.find((f) => f.type === 'enum' && f.options!.length > 1)!
    assert.notEqual(choice.options![0].label.it, String(choice.options![0].value))
    assert.equal(byKey.get(fieldKey('has_siblings'))?.type, 'boolean')
    assert.equal(byKey.get(fieldKey('siblings', '$.length'))?.type, 'integer')
    assert.isDefined(byKey.get(fieldKey('siblings', '$[0].school_name')))
    assert.isTrue(fields.some((f) => f.type === 'date'))
  })

  test("every fact and path the shipped BLOCCO rules read is offered: the form's fields and the applicant's facts", ({
    assert,
  }) => {
    for (const f of forms) {
      const offered = new Set(bloccoFields(f.schema, f.uiSchema).map((x) => fieldKey(x.fact, x.path)))
      for (const blocco of f.blocchi) {
        for (const l of leaves(toModel(blocco.condition))) {
          assert.isTrue(offered.has(fieldKey(l.fact, l.path)), `${f.id} ${blocco.id}: ${l.fact} ${l.path ?? ''}`)
        }
      }
    }
  })

  test('a rule set facts schema gives its facts, typed', ({ assert }) => {
    const { doc } = loadAllRuleSets().find((entry) => entry.doc.versions.at(-1)?.conditions)!
    const version = doc.versions.at(-1)!
    const facts = fieldsFromSchema(version.facts_schema)
    assert.deepEqual(
      facts.map((f) => f.fact),
      Object.keys(version.facts_schema.properties as object)
    )
    for (const f of facts) assert.notEqual(f.type, 'unknown', f.fact)
  })

  test('every fact a shipped rule set condition reads is offered: its facts and its steps variables', ({ assert }) => {
    let read = 0
    for (const { doc } of loadAllRuleSets()) {
      for (const version of doc.versions) {
        const offered = new Set(ruleSetFields(version as never).map((f) => fieldKey(f.fact, f.path)))
        const conditions: Array<{ where: string; condition: unknown }> = []
        conditionsIn(version, `${doc.id}@${version.version}`, conditions)
        for (const { where, condition } of conditions) {
          for (const l of leaves(toModel(condition))) {
            read++
            assert.isTrue(offered.has(fieldKey(l.fact, l.path)), `${where}: ${l.fact} ${l.path ?? ''}`)
          }
        }
      }
    }
    assert.isAbove(read, 50)
  })

  test('each type is offered the operators that make sense for it, and a new leaf evaluates', ({ assert }) => {
    assert.include(operatorsFor('number'), 'lessThan')
    assert.notInclude(operatorsFor('string'), 'lessThan')
    assert.notInclude(operatorsFor('boolean'), 'in')
    assert.include(operatorsFor('array'), 'contains')
    for (const field of fields) {
      const condition = toCondition(newLeaf(field)) as Condition
      assert.doesNotThrow(() => evaluateCondition(condition, form.sample), field.fact)
    }
  })

  test('changing the operator keeps the value where it still fits', ({ assert }) => {
    const field = fields.find((f) => f.fact === 'isee_value')!
    assert.deepEqual(valueForOperator('in', { kind: 'constant', value: 3 }, field), { kind: 'list', value: [3] })
    assert.deepEqual(valueForOperator('equal', { kind: 'list', value: [4, 5] }, field), { kind: 'constant', value: 4 })
    assert.deepEqual(valueForOperator('isEmpty', { kind: 'constant', value: 3 }, field), { kind: 'none' })
    assert.deepEqual(valueForOperator('lessThan', { kind: 'none' }, field), { kind: 'constant', value: 0 })
    assert.deepEqual(valueForOperator('lessThan', { kind: 'null' }, field), { kind: 'constant', value: 0 })
  })

  test('amounts are read with a point or a comma, kept exact', ({ assert }) => {
    assert.equal(parseAmount('5000'), 5000)
    assert.equal(parseAmount('4300,01'), 4300.01)
    assert.equal(parseAmount(' 4300.10 '), '4300.10')
    assert.equal(parseAmount('12345678901234.123456'), '12345678901234.123456')
    assert.isNull(parseAmount('5.000,00'))
    assert.isNull(parseAmount('abc'))
    assert.isNull(parseAmount('1e3'))
  })
})

test.group('Condition editor | plain description', () => {
  const fields = fieldsFromSchema({
    type: 'object',
    properties: {
      isee: { 'type': 'number', 'title': 'ISEE', 'x-i18n': { en: { title: 'ISEE' } } },
      siblings: { 'type': 'integer', 'title': 'fratelli iscritti', 'x-i18n': { en: { title: 'siblings enrolled' } } },
      residence: {
        'enum': ['piacenza', 'other'],
        'title': 'Residenza',
        'x-i18n': {
          it: { enum: { piacenza: 'Piacenza', other: 'Altro' } },
          en: { title: 'Residence', enum: { other: 'Other' } },
        },
      },
      foster: { 'type': 'boolean', 'title': 'Affido', 'x-i18n': { en: { title: 'Foster care' } } },
      birth: { 'type': 'string', 'format': 'date', 'title': 'Nascita', 'x-i18n': { en: { title: 'Birth' } } },
    },
  })

  test('says a condition in Italian and in English', ({ assert }) => {
    const condition = {
      all: [
        { fact: 'isee', operator: 'lessThan', value: 5000 },
        { fact: 'siblings', operator: 'greaterThanInclusive', value: 1 },
      ],
    }
    assert.equal(
      describeCondition(condition, fields, 'it'),
      'ISEE minore di 5.000,00 € e fratelli iscritti maggiore o uguale a 1'
    )
    assert.equal(
      describeCondition(condition, fields, 'en'),
      'ISEE less than €5,000.00 and siblings enrolled at least 1'
    )
  })

  test('choices, yes and no, dates, lists, negations, references and JSON parts are all said', ({ assert }) => {
    const condition = {
      any: [
        { fact: 'residence', operator: 'in', value: ['piacenza', 'other'] },
        { not: { all: [{ fact: 'foster', operator: 'equal', value: true }, { condition: 'is_resident' }] } },
        { fact: 'birth', operator: 'notEqual', value: '2020-01-31' },
        { fact: 'isee', operator: 'equal', value: null },
        { fact: 'isee', operator: 'magic' },
      ],
    }
    assert.equal(
      describeCondition(condition, fields, 'it'),
      'Residenza è uno tra «Piacenza» o «Altro» o non è vero che (Affido è sì e la condizione «is_resident») o Nascita non è 31/01/2020 o ISEE non è indicato o JSON {"fact":"isee","operator":"magic"}'
    )
    assert.equal(
      describeCondition(condition, fields, 'en'),
      'Residence is one of «Piacenza» or «Other» or it is not the case that (Foster care is yes and condition “is_resident”) or Birth is not 31/01/2020 or ISEE is not given or JSON {"fact":"isee","operator":"magic"}'
    )
  })

  test('an amount written as a decimal string keeps its digits', ({ assert }) => {
    assert.equal(
      describeCondition({ fact: 'isee', operator: 'lessThanInclusive', value: '4300.01' }, fields, 'it'),
      'ISEE minore o uguale a 4.300,01 €'
    )
  })
})
