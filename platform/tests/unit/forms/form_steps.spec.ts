/**
 * The steps the portal shows a long form in (`ui:steps`, shared/form_steps.ts): every form file
 * names real fields, each in one step, with titles in Italian and English.
 */
import { test } from '@japa/runner'
import { loadFormFiles } from '#forms/load_forms'
import { formSteps, stepProblems } from '#shared/form_steps'

const loaded = await loadFormFiles()

test.group('Form steps: the forms of the repository', () => {
  for (const { form } of loaded) {
    test(`${form.id}: ui:steps puts every field in exactly one titled step`, ({ assert }) => {
      assert.isArray(form.uiSchema['ui:steps'], 'a long form is filled in steps')
      assert.deepEqual(stepProblems(form.schema, form.uiSchema), [])
    })
  }
})

test.group('Form steps: reading ui:steps', () => {
  const schema = { properties: { a: {}, b: {}, c: {}, d: {} } }
  const title = { it: 'Domanda', en: 'Application' }

  test('steps keep the order of ui:order, and a field no step names joins the last one', ({ assert }) => {
    const ui = {
      'ui:order': ['b', 'a', 'c', 'd'],
      'ui:steps': [
        { id: 'one', title: { it: 'Uno', en: 'One' }, fields: ['a', 'b'] },
        { id: 'two', title: { it: 'Due', en: 'Two' }, fields: ['c'] },
      ],
    }
    assert.deepEqual(
      formSteps(schema, ui, title).map((s) => [s.id, s.fields]),
      [
        ['one', ['b', 'a']],
        ['two', ['c', 'd']],
      ]
    )
    assert.deepEqual(stepProblems(schema, ui), ['field "d" is in no step of ui:steps'])
  })

  test('without ui:steps the form is one step; a field named twice stays in the first', ({ assert }) => {
    assert.deepEqual(formSteps(schema, {}, title), [{ id: 'all', title, fields: ['a', 'b', 'c', 'd'] }])
    const twice = {
      'ui:steps': [
        { id: 'one', title: { it: 'Uno' }, fields: ['a', 'x'] },
        { id: 'two', title: { it: 'Due', en: 'Two' }, fields: ['a', 'b', 'c', 'd'] },
      ],
    }
    assert.deepEqual(formSteps(schema, twice, title)[1].fields, ['b', 'c', 'd'])
    assert.sameMembers(stepProblems(schema, twice), [
      'ui:steps "one" has no en title',
      'ui:steps "one" names unknown field "x"',
      'field "a" is in ui:steps "one" and "two"',
    ])
  })
})
