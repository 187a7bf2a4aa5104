/**
 * The converter between the canonical form and Form.io JSON: canonical → Form.io → canonical is the
 * identity on every shipped form and on generated ones; edits made on the Form.io side come back as
 * the canonical change; whatever it cannot map is refused naming the component.
 */
import { test } from '@japa/runner'
import fc from 'fast-check'
import { loadForms } from '#forms/load_forms'
import {
  canonicalToFormio,
  formioToCanonical,
  FormioConversionError,
  jsonEqual,
  PHONE_PATTERN,
  type FormioComponent,
  type FormioForm,
} from '#forms/formio_converter'
import { compileForm } from '#forms/validator'
import type { FormDefinition } from '#forms/types'

type Obj = { [key: string]: unknown }

const forms = await loadForms()

/** What the builder would store: plain JSON, no shared objects. */
const roundTrip = (form: FormDefinition) => formioToCanonical(JSON.parse(JSON.stringify(canonicalToFormio(form))))

function refusal(fn: () => unknown): FormioConversionError {
  try {
    fn()
  } catch (error) {
    if (error instanceof FormioConversionError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

function find(components: FormioComponent[], key: string): FormioComponent {
  for (const c of components) {
    if (c.key === key) return c
    if (c.components) {
      const inner = components.length ? findOrNull(c.components, key) : null
      if (inner) return inner
    }
  }
  throw new Error(`no component ${key}`)
}
function findOrNull(components: FormioComponent[], key: string): FormioComponent | null {
  try {
    return find(components, key)
  } catch {
    return null
  }
}

/* ---------- generated forms ---------- */

const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/)
const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s.length > 0)
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

function withI18n(node: Obj, title: string | undefined, en: string | undefined): Obj {
  if (title !== undefined) node.title = title
  if (en !== undefined) node['x-i18n'] = { en: { title: en } }
  return node
}

/** One field: its schema node and uiSchema entry. */
const field: fc.Arbitrary<{ schema: Obj; ui: Obj }> = fc.oneof(
  // text, textarea, codice fiscale, IBAN, e-mail, phone, date
  fc
    .record({
      kind: fc.constantFrom('text', 'textarea', 'codice-fiscale', 'iban', 'email', 'phone', 'date'),
      title: maybe(text),
      en: maybe(text),
      min: maybe(fc.integer({ min: 0, max: 5 })),
      max: fc.integer({ min: 5, max: 500 }),
      pattern: maybe(fc.constantFrom('^[A-Z]+$', '^[0-9]{5}$')),
      description: maybe(text),
    })
    .map(({ kind, title, en, min, max, pattern, description }) => {
      const node: Obj = { type: 'string', maxLength: max }
      const ui: Obj = {}
      if (kind === 'text' || kind === 'textarea') {
        if (min !== undefined) node.minLength = min
        if (pattern !== undefined) node.pattern = pattern
        if (kind === 'textarea') ui['ui:widget'] = 'textarea'
      } else if (kind === 'phone') node.pattern = PHONE_PATTERN
      else node.format = kind
      if (kind === 'date') {
        node['x-date-range'] = { min: 'today-10y', max: 'today' }
        ui['ui:widget'] = 'date'
      }
      if (description !== undefined) node.description = description
      return { schema: withI18n(node, title, en), ui }
    }),
  // number, integer, currency
  fc
    .record({
      kind: fc.constantFrom('number', 'integer', 'currency'),
      title: maybe(text),
      min: maybe(fc.integer({ min: 0, max: 10 })),
      max: maybe(fc.integer({ min: 10, max: 100000 })),
      updown: fc.boolean(),
    })
    .map(({ kind, title, min, max, updown }) => {
      const node: Obj = { type: kind === 'integer' ? 'integer' : 'number' }
      if (kind === 'currency') node['x-currency'] = 'EUR'
      if (min !== undefined) node.minimum = min
      if (max !== undefined) node.maximum = max
      return { schema: withI18n(node, title, undefined), ui: updown ? { 'ui:widget': 'updown' } : {} }
    }),
  // checkbox, yes/no radio, declaration
  fc
    .record({ kind: fc.constantFrom('checkbox', 'radio', 'declaration'), title: text, en: maybe(text) })
    .map(({ kind, title, en }) => {
      const node: Obj = { type: 'boolean' }
      if (kind === 'declaration') Object.assign(node, { 'const': true, 'x-declaration': true })
      return { schema: withI18n(node, title, en), ui: kind === 'radio' ? { 'ui:widget': 'radio' } : {} }
    }),
  // radio and select with labelled choices, and a list of ticked choices
  fc
    .record({
      widget: fc.constantFrom('radio', 'select', 'checkboxes'),
      values: fc.uniqueArray(key, { minLength: 1, maxLength: 5 }),
      labels: fc.boolean(),
      title: text,
    })
    .map(({ widget, values, labels, title }) => {
      const item: Obj = { type: 'string', enum: values }
      if (labels) {
        item['x-i18n'] = {
          it: { enum: Object.fromEntries(values.map((v) => [v, `it ${v}`])) },
          en: { enum: Object.fromEntries(values.map((v) => [v, `en ${v}`])) },
        }
      }
      if (widget === 'checkboxes') {
        return {
          schema: { type: 'array', title, uniqueItems: true, maxItems: values.length, items: item },
          ui: { 'ui:widget': 'checkboxes' },
        }
      }
      return { schema: { ...item, title }, ui: widget === 'radio' ? { 'ui:widget': 'radio' } : {} }
    }),
  // a select fed by a catalog source, with a filter on another field
  fc
    .record({ source: fc.constantFrom('schools', 'classes', 'transport_lines'), filter: fc.boolean(), title: text })
    .map(({ source, filter, title }) => ({
      schema: { type: 'string', minLength: 1, maxLength: 64, title },
      ui: { 'ui:options': filter ? { source, filter: { school: '/school_id', service: 'refezione' } } : { source } },
    })),
  // a file upload
  fc
    .record({ title: text, accept: fc.subarray(['application/pdf', 'image/png', 'image/jpeg'], { minLength: 1 }) })
    .map(({ title, accept }) => ({
      schema: { $ref: '#/$defs/common.attachment', title },
      ui: { 'ui:field': 'attachment', 'ui:options': { accept } },
    })),
  // static content
  fc.record({ title: text, description: text }).map(({ title, description }) => ({
    schema: { type: 'null', title, description },
    ui: {},
  })),
  // a group of fields, and a repeated group
  fc
    .record({
      repeated: fc.boolean(),
      title: text,
      names: fc.uniqueArray(key, { minLength: 1, maxLength: 3 }),
      max: fc.integer({ min: 1, max: 5 }),
    })
    .map(({ repeated, title, names, max }) => {
      const object: Obj = {
        type: 'object',
        additionalProperties: false,
        required: [names[0]],
        properties: Object.fromEntries(names.map((n) => [n, { type: 'string', maxLength: 40, title: n }])),
      }
      if (!repeated)
        return {
          schema: { ...object, title },
          ui: { [names[0]]: { 'ui:options': { visible_when: { fact: 'x', operator: 'isEmpty' } } } },
        }
      return { schema: { type: 'array', title, maxItems: max, items: object }, ui: { items: { 'ui:order': names } } }
    }),
  // a shared definition used by reference, with a local title
  fc
    .record({ def: fc.constantFrom('common.email', 'common.date', 'common.phone', 'common.fiscal_code'), title: text })
    .map(({ def, title }) => ({
      schema: { $ref: `#/$defs/${def}`, title },
      ui: def === 'common.date' ? { 'ui:widget': 'date' } : {},
    }))
)

const COMMON_DEFS = {
  'common.attachment': (forms[0].schema.$defs as Obj)['common.attachment'],
  'common.email': { type: 'string', format: 'email', maxLength: 254 },
  'common.date': { type: 'string', format: 'date', maxLength: 10 },
  'common.phone': { type: 'string', pattern: PHONE_PATTERN, maxLength: 20 },
  'common.fiscal_code': { type: 'string', format: 'codice-fiscale', maxLength: 16 },
}

const generatedForm: fc.Arbitrary<FormDefinition> = fc
  .record({
    fields: fc.uniqueArray(fc.tuple(key, field, fc.boolean()), { minLength: 1, maxLength: 8, selector: ([k]) => k }),
    ordered: fc.boolean(),
    steps: fc.boolean(),
  })
  .map(({ fields, ordered, steps }) => {
    const properties: Obj = {}
    const uiSchema: Obj = {}
    const required: string[] = []
    for (const [name, f, isRequired] of fields) {
      properties[name] = f.schema
      if (Object.keys(f.ui).length) uiSchema[name] = f.ui
      if (isRequired && f.schema.type !== 'null') required.push(name)
    }
    if (ordered) uiSchema['ui:order'] = [...Object.keys(properties)].reverse()
    if (steps)
      uiSchema['ui:steps'] = [{ id: 'all', title: { it: 'Tutto', en: 'All' }, fields: Object.keys(properties) }]
    const schema: Obj = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      properties,
      $defs: COMMON_DEFS,
    }
    if (required.length) schema.required = required.reverse()
    return {
      id: 'prova.iscrizione',
      service: 'prova',
      version: 1,
      title: { it: 'Prova', en: 'Trial' },
      schema,
      uiSchema,
      blocchi: [
        {
          id: 'first_missing',
          condition: { fact: fields[0][0], operator: 'isEmpty' },
          paths: [`/${fields[0][0]}`],
          message: { it: 'Manca.', en: 'Missing.' },
          reference: 'Allegato B',
          examples: { fires: {}, passes: {} },
        },
      ],
      attachments: {},
      sample: {},
    } as FormDefinition
  })

test.group('Form.io converter: round trip', () => {
  for (const form of forms) {
    test(`${form.id}: canonical → Form.io → canonical is the identity`, ({ assert }) => {
      const back = roundTrip(form)
      assert.isTrue(jsonEqual(back, form))
      // Arrays keep their order (the BLOCCO rules, required, ui:order, steps).
      assert.deepEqual(back.blocchi, form.blocchi)
      assert.deepEqual(back.schema.required, form.schema.required)
      assert.deepEqual(back.uiSchema['ui:order'], form.uiSchema['ui:order'])
    })
  }

  test('generated forms: canonical → Form.io → canonical is the identity', () => {
    fc.assert(
      fc.property(generatedForm, (form) => {
        compileForm(form) // a generated form is a valid one
        const back = roundTrip(form)
        if (!jsonEqual(back, form)) throw new Error(`differs: ${JSON.stringify(form)} → ${JSON.stringify(back)}`)
      }),
      { numRuns: 150 }
    )
  })

  test('the jsonEqual the identity relies on tells different values apart', ({ assert }) => {
    assert.isFalse(jsonEqual({ a: [1, 2] }, { a: [2, 1] }))
    assert.isFalse(jsonEqual({ a: 1 }, { a: 1, b: null }))
    assert.isTrue(jsonEqual({ a: 1, b: { c: 'x' } }, { b: { c: 'x' }, a: 1 }))
  })
})

test.group('Form.io converter: the components of the refezione form', () => {
  const refezione = forms.find((f) => f.id === 'refezione.iscrizione')!
  const formio = canonicalToFormio(refezione)

  test('fields become the Form.io components a designer expects', ({ assert }) => {
    const types = (k: string) => find(formio.components, k).type
    assert.equal(formio.display, 'wizard')
    assert.equal(types('applicant_kind'), 'radio')
    assert.equal(types('student'), 'container')
    assert.equal(types('school_id'), 'select')
    assert.equal(find(formio.components, 'school_id').data?.url, '/api/v1/t/{{ tenant }}/catalog/sources/schools')
    assert.equal(find(formio.components, 'school_id').filter, 'order={{ data.school_order }}&service=refezione')
    assert.equal(types('siblings'), 'editgrid')
    assert.equal(types('identity_document'), 'file')
    assert.equal(find(formio.components, 'identity_document').filePattern, 'application/pdf,image/jpeg,image/png')
    assert.equal(types('iban'), 'textfield')
    assert.deepEqual(find(formio.components, 'iban').properties, { format: 'iban' })
    assert.equal(types('payment_email'), 'email')
    assert.equal(types('payment_phone'), 'phoneNumber')
    assert.equal(types('isee_value'), 'number')
    assert.equal(find(formio.components, 'has_siblings').dataType, 'boolean')
    assert.isTrue(find(formio.components, 'student').validate?.required)
    assert.deepEqual(formio.settings.sportello.form.blocchi, refezione.blocchi)
  })

  test('a field added, relabelled, made optional or removed in Form.io comes back as that change', ({ assert }) => {
    const edited = JSON.parse(JSON.stringify(formio)) as FormioForm
    const school = find(edited.components, 'school_order')
    school.label = 'Grado di scuola'
    school.values![0].label = 'Materna'
    find(edited.components, 'section').validate!.required = false
    edited.components = edited.components.filter((c) => c.key !== 'social_worker_name')
    edited.components.push({
      type: 'textfield',
      key: 'allergy_notes',
      label: 'Allergie',
      input: true,
      validate: { required: true, maxLength: 200 },
    })
    const back = formioToCanonical(edited)
    const props = back.schema.properties as Obj
    assert.deepEqual(props.allergy_notes, { type: 'string', title: 'Allergie', maxLength: 200 })
    assert.include(back.schema.required as string[], 'allergy_notes')
    assert.notInclude(back.schema.required as string[], 'section')
    assert.notProperty(props, 'social_worker_name')
    assert.notInclude(back.uiSchema['ui:order'] as string[], 'social_worker_name')
    assert.equal((back.uiSchema['ui:order'] as string[]).at(-1), 'allergy_notes')
    const order = props.school_order as Obj
    assert.equal(order.title, 'Grado di scuola')
    assert.equal((order['x-i18n'] as any).it.enum.infanzia, 'Materna')
    assert.equal((order['x-i18n'] as any).en.enum.infanzia, "Pre-school (scuola dell'infanzia)")
    // The result is still a form the validator compiles.
    compileForm(back)
  })

  test('a field of a shared definition takes a tighter limit as a local keyword', ({ assert }) => {
    const edited = JSON.parse(JSON.stringify(formio)) as FormioForm
    find(edited.components, 'payment_email').validate = { maxLength: 100 }
    const back = formioToCanonical(edited)
    const before = (refezione.schema.properties as Obj).payment_email as Obj
    assert.equal(before.$ref, '#/$defs/common.email')
    assert.notProperty(before, 'maxLength')
    assert.deepEqual((back.schema.properties as Obj).payment_email, { ...before, maxLength: 100 })
  })
})

test.group('Form.io converter: refusals name the component', () => {
  const refezione = forms.find((f) => f.id === 'refezione.iscrizione')!

  test('a canonical keyword it does not know is refused, not dropped', ({ assert }) => {
    const form = structuredClone(refezione)
    ;(form.schema.properties as any).school_id.contentEncoding = 'base64'
    const error = refusal(() => canonicalToFormio(form))
    assert.equal(error.issues[0].component, 'school_id')
    assert.include(error.issues[0].message.en, 'contentEncoding')
    assert.include(error.issues[0].message.it, 'contentEncoding')
    const widget = structuredClone(refezione)
    ;(widget.uiSchema as any).section = { 'ui:widget': 'password' }
    const refused = refusal(() => canonicalToFormio(widget))
    assert.deepEqual(
      refused.issues.map((i) => i.component),
      ['section']
    )
    assert.include(refused.issues[0].message.en, 'password')
  })

  test('Form.io components and features the canonical form cannot hold are refused, each by name', ({ assert }) => {
    const formio = JSON.parse(JSON.stringify(canonicalToFormio(refezione))) as FormioForm
    formio.components.push({ type: 'signature', key: 'firma', label: 'Firma', input: true })
    find(formio.components, 'family_card').conditional = { show: true, when: 'has_siblings', eq: 'true' }
    find(formio.components, 'section').calculateValue = 'value = data.class_year'
    find(formio.components, 'student').components!.push({
      type: 'textfield',
      key: 'nickname',
      label: 'Soprannome',
      input: true,
    })
    find(formio.components, 'diet_type').values!.push({ label: 'Senza glutine', value: 'gluten_free' })
    find(formio.components, 'iban').validate = { custom: 'valid = input.length > 3' }
    const error = refusal(() => formioToCanonical(formio))
    const by = (component: string) => error.issues.filter((i) => i.component === component).map((i) => i.message.en)
    assert.include(by('firma')[0], 'signature')
    assert.include(by('family_card')[0], 'conditional')
    assert.include(by('section')[0], 'calculateValue')
    assert.include(by('student')[0], 'shared definition')
    assert.include(by('iban')[0], 'validate.custom')
    // A new choice on a field of its own is an edit, not a refusal.
    assert.lengthOf(by('diet_type'), 0)
  })

  test('rich static content and Form.io JSON without our settings are refused', ({ assert }) => {
    const formio = JSON.parse(JSON.stringify(canonicalToFormio(refezione))) as FormioForm
    formio.components.push({
      type: 'content',
      key: 'note',
      label: 'Nota',
      input: false,
      html: '<p><b>Attenzione</b></p>',
    })
    assert.include(refusal(() => formioToCanonical(formio)).issues[0].message.en, 'plain paragraph')
    const bare = { ...formio, settings: {} } as unknown as FormioForm
    assert.include(refusal(() => formioToCanonical(bare)).issues[0].message.en, 'settings.sportello')
  })
})
