/**
 * The designer's edits of a canonical form (shared/form_fields.ts) on fields inside groups (an
 * object, the items of a repeated group) and on options and groups that live in a shared part of
 * the form (`$defs`): each edit lands where the schema holds the field, the form stays one the
 * server publishes and validates, and the Form.io converter still maps it both ways.
 */
import { test } from '@japa/runner'
import { loadForms } from '#forms/load_forms'
import { checkFormDefinition } from '#forms/definition_check'
import { canonicalToFormio, formioToCanonical, jsonEqual } from '#forms/formio_converter'
import { validateSubmission } from '#forms/validator'
import type { FormDefinition } from '#forms/types'
import {
  addField,
  childGroup,
  fieldLabel,
  fieldOrder,
  isRequired,
  kindOf,
  limitProblem,
  limitsOf,
  moveField,
  optionsText,
  removeField,
  setKind,
  setLabel,
  setLimit,
  setOptions,
  setRequired,
  sharedPartsOf,
  type FormDefinitionJson,
  type NewField,
} from '#shared/form_fields'

type Obj = Record<string, unknown>

const forms = await loadForms()
const formOf = (id: string) => structuredClone(forms.find((f) => f.id === id)!) as unknown as FormDefinitionJson
const asForm = (def: FormDefinitionJson) => def as unknown as FormDefinition
const defs = (def: FormDefinitionJson) => def.schema.$defs as Record<string, Obj>
const problemsOf = (def: FormDefinitionJson) =>
  checkFormDefinition(def, { key: def.id, service: def.service, lang: 'it' })
const roundTrips = (def: FormDefinitionJson) => {
  const back = formioToCanonical(JSON.parse(JSON.stringify(canonicalToFormio(asForm(def)))))
  return jsonEqual(back, def)
}

const PICKUP = ['authorised_pickup_persons', '*'] as const
const field = (patch: Partial<NewField>): NewField => ({
  key: 'document_number',
  kind: 'text',
  labelIt: 'Numero del documento',
  labelEn: 'Document number',
  required: false,
  options: '',
  source: '',
  step: '',
  ...patch,
})

test.group('Designer: fields inside groups', () => {
  test('a repeated group lists its fields in the order the citizen sees them', ({ assert }) => {
    const trasporto = formOf('trasporto.iscrizione')
    assert.equal(kindOf(trasporto, ['authorised_pickup_persons']), 'group_list')
    assert.deepEqual(childGroup(trasporto, ['authorised_pickup_persons']), [...PICKUP])
    assert.deepEqual(fieldOrder(trasporto, PICKUP), [
      'first_name',
      'last_name',
      'fiscal_code',
      'birth_date',
      'birth_place',
      'relationship',
      'phone',
    ])
    assert.equal(fieldLabel(trasporto, [...PICKUP, 'phone'], 'en'), 'Phone')
    assert.isTrue(isRequired(trasporto, [...PICKUP, 'birth_place']))
    assert.isFalse(isRequired(trasporto, [...PICKUP, 'phone']))
    // An object group, through its shared definition: the pupil's fields.
    const refezione = formOf('refezione.iscrizione')
    assert.equal(kindOf(refezione, ['student']), 'group')
    assert.include(fieldOrder(refezione, ['student']), 'fiscal_code')
  })

  test('a field added to the pick-up persons is an item field: schema, order, validation, publication, Form.io', ({
    assert,
  }) => {
    const before = formOf('trasporto.iscrizione')
    const after = addField(
      before,
      field({
        kind: 'select',
        required: true,
        options: 'ci | Carta d’identità | ID card\npassport | Passaporto | Passport',
        key: 'document_kind',
        labelIt: 'Documento',
        labelEn: 'Document',
      }),
      PICKUP
    )
    const items = (after.schema.properties.authorised_pickup_persons as Obj).items as Obj
    assert.deepEqual((items.properties as Obj).document_kind, {
      'type': 'string',
      'enum': ['ci', 'passport'],
      'title': 'Documento',
      'x-i18n': {
        it: { enum: { ci: 'Carta d’identità', passport: 'Passaporto' } },
        en: { title: 'Document', enum: { ci: 'ID card', passport: 'Passport' } },
      },
    })
    assert.include(items.required as string[], 'document_kind')
    assert.equal(fieldOrder(after, PICKUP).at(-1), 'document_kind')
    // Not a field of the form's top level, nor of any step.
    assert.notProperty(after.schema.properties, 'document_kind')
    assert.notInclude(JSON.stringify(after.uiSchema['ui:steps']), 'document_kind')
    // The form it was made from is untouched.
    assert.notInclude(JSON.stringify(before.schema), 'document_kind')

    assert.deepEqual(problemsOf(after), [])
    assert.isTrue(roundTrips(after), 'canonical → Form.io → canonical is the identity on the edited form')
    const sample = structuredClone(after.sample) as Obj
    const persons = sample.authorised_pickup_persons as Obj[]
    assert.isAbove(persons.length, 0)
    const refused = validateSubmission(asForm(after), sample)
    assert.deepInclude(
      refused.errors.map((e) => e.path),
      '/authorised_pickup_persons/0/document_kind'
    )
    persons.forEach((p) => (p.document_kind = 'passport'))
    assert.deepEqual(validateSubmission(asForm(after), sample).errors, [])
    persons[0].document_kind = 'driving_licence'
    assert.isFalse(validateSubmission(asForm(after), sample).valid)
  })

  test('a field inside a group is relabelled, made optional or required, retyped, limited, moved and removed', ({
    assert,
  }) => {
    let def = formOf('trasporto.iscrizione')
    const phone = [...PICKUP, 'phone']
    const relationship = [...PICKUP, 'relationship']
    def = setLabel(def, relationship, 'it', 'Parentela')
    def = setLabel(def, relationship, 'en', 'Kinship')
    assert.equal(fieldLabel(def, relationship, 'it'), 'Parentela')
    assert.equal(fieldLabel(def, relationship, 'en'), 'Kinship')
    def = setRequired(def, phone, true)
    assert.isTrue(isRequired(def, phone))
    def = setRequired(def, [...PICKUP, 'birth_place'], false)
    assert.isFalse(isRequired(def, [...PICKUP, 'birth_place']))

    // The relationship becomes a choice: labels kept, options to write.
    def = setKind(def, relationship, 'radio')
    assert.equal(kindOf(def, relationship), 'radio')
    assert.equal(fieldLabel(def, relationship, 'en'), 'Kinship')
    def = setOptions(def, relationship, 'grandparent | Nonno o nonna | Grandparent\nother | Altro | Other')
    assert.equal(optionsText(def, relationship), 'grandparent | Nonno o nonna | Grandparent\nother | Altro | Other')

    // A text taken from a shared definition (common.short_text) gets its own limit.
    const place = [...PICKUP, 'birth_place']
    const shared = limitsOf(def, place).maxLength as number
    assert.isNumber(shared)
    def = setLimit(def, place, 'maxLength', shared + 50)
    assert.equal(limitsOf(def, place).maxLength, shared + 50)
    const placeNode = ((def.schema.properties.authorised_pickup_persons as Obj).items as Obj).properties as Obj
    assert.notProperty(placeNode.birth_place as Obj, '$ref', 'copied from the shared definition, not narrowed by it')
    assert.equal(limitProblem(def, place, 'maxLength', null), 'limitNeeded')
    assert.equal(limitProblem(def, place, 'minLength', 2.5), 'limitWhole')
    assert.equal(limitProblem(def, place, 'minLength', shared + 51), 'limitOrder')
    assert.deepEqual(setLimit(def, place, 'minLength', shared + 51), def, 'a limit that makes no sense is not set')

    def = moveField(def, phone, -1)
    assert.deepEqual(fieldOrder(def, PICKUP).slice(-2), ['phone', 'relationship'])
    def = removeField(def, [...PICKUP, 'fiscal_code'])
    assert.notInclude(fieldOrder(def, PICKUP), 'fiscal_code')
    assert.notInclude(
      ((def.uiSchema.authorised_pickup_persons as Obj).items as Obj)['ui:order'] as string[],
      'fiscal_code'
    )

    assert.deepEqual(problemsOf(def), [])
    assert.isTrue(roundTrips(def))
    const sample = structuredClone(def.sample) as Obj
    for (const person of sample.authorised_pickup_persons as Obj[]) {
      delete person.fiscal_code
      person.relationship = 'other'
      person.phone = '+39 0523 000000'
    }
    assert.deepEqual(validateSubmission(asForm(def), sample).errors, [])
  })

  test('a field added to a group defined in a shared part is added there, and the designer is told who else uses it', ({
    assert,
  }) => {
    const before = formOf('refezione.iscrizione')
    const group = childGroup(before, ['siblings'])
    assert.deepEqual(group, ['siblings', '*'])
    const after = addField(before, field({ key: 'class_name', labelIt: 'Classe', labelEn: 'Class' }), group!)
    assert.property(defs(after)['school_fees.sibling'].properties as Obj, 'class_name')
    assert.deepEqual((after.schema.properties.siblings as Obj).$ref, '#/$defs/school_fees.siblings')
    assert.equal(fieldOrder(after, group!).at(-1), 'class_name')
    assert.deepEqual(sharedPartsOf(after, ['siblings', '*', 'class_name']), [
      { name: 'school_fees.siblings', usedBy: ['siblings'] },
      { name: 'school_fees.sibling', usedBy: ['siblings'] },
    ])
    assert.deepEqual(sharedPartsOf(after, ['has_siblings']), [])
    assert.deepEqual(problemsOf(after), [])
    assert.isTrue(roundTrips(after))
  })

  test('options defined in a shared part are edited there, for every field that uses them', ({ assert }) => {
    const before = formOf('refezione.iscrizione')
    const text = optionsText(before, ['applicant_kind'])
    assert.equal(
      text,
      'parent | Genitore o tutore (pagante) | Parent or guardian (payer)\n' +
        'community | Responsabile della comunità in cui il minore è collocato | Head of the community where the minor is placed'
    )
    assert.deepEqual(sharedPartsOf(before, ['applicant_kind']), [
      { name: 'school_fees.applicant_kind', usedBy: ['applicant_kind'] },
    ])
    const after = setOptions(
      before,
      ['applicant_kind'],
      text!.replace('Parent or guardian (payer)', 'Parent or legal guardian (who pays)')
    )
    const shared = defs(after)['school_fees.applicant_kind']
    assert.equal(
      ((shared['x-i18n'] as Obj).en as Obj & { enum: Obj }).enum.parent,
      'Parent or legal guardian (who pays)'
    )
    assert.deepEqual(
      after.schema.properties.applicant_kind,
      before.schema.properties.applicant_kind,
      'the field still refers to it'
    )
    assert.include(optionsText(after, ['applicant_kind'])!, 'Parent or legal guardian (who pays)')
    assert.deepEqual(problemsOf(after), [])
    assert.isTrue(roundTrips(after))
    assert.deepEqual(validateSubmission(asForm(after), after.sample).errors, [])
    // A text without any option changes nothing.
    assert.strictEqual(setOptions(after, ['applicant_kind'], '  \n'), after)
  })

  test('a path the form does not have changes nothing', ({ assert }) => {
    const def = formOf('trasporto.iscrizione')
    for (const path of [
      ['nope'],
      [...PICKUP, 'nope'],
      ['iban', '*', 'x'],
      ['authorised_pickup_persons', 'first_name'],
    ]) {
      assert.strictEqual(removeField(def, path), def, path.join('/'))
      assert.strictEqual(setLabel(def, path, 'it', 'x'), def, path.join('/'))
      assert.strictEqual(setRequired(def, path, true), def, path.join('/'))
    }
    assert.strictEqual(addField(def, field({}), ['nope', '*']), def)
  })
})
