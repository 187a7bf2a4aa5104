/**
 * The school catalog check of the form validator, pure: the catalog is passed in, no database.
 */
import { test } from '@japa/runner'
import { loadForms } from '#forms/load_forms'
import { validateSubmission } from '#forms/validator'
import { catalogFrom, sourceFields, sourceProblems, type CatalogSchool } from '#forms/school_catalog'
import { schemaAt } from '#forms/json_pointer'
import type { FormDefinition } from '#forms/types'

const forms = await loadForms()
const byId = (id: string): FormDefinition => forms.find((f) => f.id === id)!
const refezione = byId('refezione.iscrizione')
const trasporto = byId('trasporto.iscrizione')
type Obj = Record<string, unknown>

const years = (n: number, sections: string[]) =>
  Array.from({ length: n }, (_, i) => String(i + 1)).flatMap((year) =>
    sections.map((section) => ({ year, section, active: true }))
  )

const SCHOOLS: CatalogSchool[] = [
  {
    code: 'pc-primaria-alberoni',
    name: 'Primaria Alberoni',
    order: 'primaria',
    services: ['refezione', 'trasporto'],
    active: true,
    classes: [...years(5, ['A', 'B']), { year: '5', section: 'C', active: false }],
  },
  {
    code: 'pc-primaria-solo-mensa',
    name: 'Primaria solo mensa',
    order: 'primaria',
    services: ['refezione'],
    active: true,
    classes: years(5, ['A']),
  },
  {
    code: 'pc-infanzia-farnesiana',
    name: 'Infanzia Farnesiana',
    order: 'infanzia',
    services: ['refezione', 'trasporto'],
    active: true,
    classes: [
      { year: null, section: 'A', active: true },
      { year: null, section: 'B', active: true },
    ],
  },
  {
    code: 'pc-primaria-chiusa',
    name: 'Primaria chiusa',
    order: 'primaria',
    services: ['refezione'],
    active: false,
    classes: years(5, ['A']),
  },
]
const catalog = catalogFrom(SCHOOLS)

function check(form: FormDefinition, patch: Obj, lang: 'it' | 'en' = 'it') {
  const data = { ...structuredClone(form.sample), ...patch }
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete data[key]
  return validateSubmission(form, data, { lang, catalog }).errors.filter((e) => e.rule.startsWith('catalog:'))
}
const pairs = (errors: Array<{ path: string; rule: string }>) => errors.map((e) => [e.path, e.rule])

test.group('school catalog check', () => {
  test('the forms name their school fields with a source and a filter', ({ assert }) => {
    const fields = sourceFields(refezione.uiSchema)
    assert.deepInclude(fields, { pointer: '/domicile/municipality', source: 'municipalities', filter: {} })
    assert.deepEqual(
      fields.filter((f) => ['schools', 'classes', 'sections'].includes(f.source)),
      [
        { pointer: '/school_id', source: 'schools', filter: { order: '/school_order', service: 'refezione' } },
        { pointer: '/class_year', source: 'classes', filter: { school: '/school_id' } },
        { pointer: '/section', source: 'sections', filter: { school: '/school_id', year: '/class_year' } },
      ]
    )
  })

  test('the samples pass against a catalog that holds their school, class and section', ({ assert }) => {
    assert.deepEqual(validateSubmission(refezione, refezione.sample, { catalog }).errors, [])
    assert.deepEqual(validateSubmission(trasporto, trasporto.sample, { catalog }).errors, [])
  })

  test('a school that is not in the catalog is refused on its field, in Italian and English', ({ assert }) => {
    const it = check(refezione, { school_id: 'scuola-inventata' })
    assert.deepEqual(pairs(it), [['/school_id', 'catalog:unknown']])
    assert.include(it[0].message, "non presente nell'elenco del Comune")
    assert.include(it[0].message, '«Scuola (plesso con servizio mensa)»')
    const en = check(refezione, { school_id: 'scuola-inventata' }, 'en')
    assert.include(en[0].message, "not in the comune's list")
  })

  test('the school must be of the chosen order and served by the form service', ({ assert }) => {
    const wrongOrder = check(refezione, {
      school_order: 'infanzia',
      school_id: 'pc-primaria-alberoni',
      class_year: undefined,
    })
    assert.deepEqual(pairs(wrongOrder), [['/school_id', 'catalog:order']])
    assert.include(wrongOrder[0].message, "Scuola dell'infanzia")
    // Served by refezione only: fine for the canteen, refused for transport.
    assert.deepEqual(check(refezione, { school_id: 'pc-primaria-solo-mensa', section: 'A' }), [])
    assert.deepEqual(pairs(check(trasporto, { school_id: 'pc-primaria-solo-mensa', section: 'A' })), [
      ['/school_id', 'catalog:service'],
    ])
  })

  test('an inactive school, class or section is refused', ({ assert }) => {
    assert.deepEqual(pairs(check(refezione, { school_id: 'pc-primaria-chiusa', section: 'A' })), [
      ['/school_id', 'catalog:inactive'],
    ])
    assert.deepEqual(pairs(check(refezione, { class_year: '5', section: 'C' })), [['/section', 'catalog:inactive']])
  })

  test('class and section must belong to the school (and the section to the class year)', ({ assert }) => {
    assert.deepEqual(pairs(check(refezione, { class_year: '7', section: 'Z' })), [
      ['/class_year', 'catalog:unknown'],
      ['/section', 'catalog:unknown'],
    ])
    // 3ª C does not exist although year 3 and section C (of year 5) do.
    assert.deepEqual(pairs(check(refezione, { class_year: '3', section: 'C' })), [['/section', 'catalog:unknown']])
    // Infanzia: sections without a year.
    assert.deepEqual(
      check(refezione, {
        school_order: 'infanzia',
        school_id: 'pc-infanzia-farnesiana',
        class_year: undefined,
        section: 'B',
      }),
      []
    )
  })

  test('a wrong school is reported once: its class and section are not checked against it', ({ assert }) => {
    assert.deepEqual(pairs(check(refezione, { school_id: 'nessuna', class_year: '9', section: 'Q' })), [
      ['/school_id', 'catalog:unknown'],
    ])
  })

  test('catalog errors come together with schema and BLOCCO errors', ({ assert }) => {
    const data = { ...structuredClone(refezione.sample), school_id: 'nessuna', has_siblings: true } as Obj
    delete data.student
    const rules = validateSubmission(refezione, data, { catalog }).errors.map((e) => `${e.rule} ${e.path}`)
    assert.includeMembers(rules, [
      'catalog:unknown /school_id',
      'siblings_missing /siblings',
      'schema:required /student',
    ])
  })

  test('drafts and validations without a catalog do not check the catalog', ({ assert }) => {
    const data = { ...structuredClone(refezione.sample), school_id: 'nessuna' }
    assert.deepEqual(validateSubmission(refezione, data, { catalog, partial: true }).errors, [])
    assert.deepEqual(validateSubmission(refezione, data).errors, [])
  })

  test('contract check: an unknown source, filter key or dangling pointer is a problem', ({ assert }) => {
    const exists = (form: FormDefinition) => (p: string) => schemaAt(form.schema, p) !== undefined
    for (const form of forms) assert.deepEqual(sourceProblems(form, exists(form)), [], form.id)
    const broken: FormDefinition = {
      ...refezione,
      uiSchema: {
        ...refezione.uiSchema,
        school_id: { 'ui:options': { source: 'scuole', filter: {} } },
        section: { 'ui:options': { source: 'sections', filter: { school: '/nowhere', colour: 'red' } } },
      },
    }
    assert.deepEqual(sourceProblems(broken, exists(refezione)), [
      '/school_id: unknown source "scuole"',
      '/section: filter "school" points to /nowhere, which is not a field of the form',
      '/section: source "sections" has no filter "colour"',
    ])
  })
})
