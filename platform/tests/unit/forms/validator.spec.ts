/**
 * validateSubmission: every violation at once, by field, in Italian or English.
 */
import { test } from '@japa/runner'
import { resolveBound, todayInRome } from '#forms/field_rules'
import { loadForms } from '#forms/load_forms'
import { validateSubmission } from '#forms/validator'
import { applyExample, schemaHygieneProblems, uiSchemaProblems } from '#sdk/form_contract_tests'
import { isValidCodiceFiscale, isValidIban, normalizeOmocodia } from '#forms/codice_fiscale'
import { tariffFacts } from '#forms/tariff_preview'
import type { FormDefinition } from '#forms/types'

const forms = await loadForms()
const byId = (id: string): FormDefinition => {
  const form = forms.find((f) => f.id === id)
  if (!form) throw new Error(`form ${id} not loaded`)
  return form
}
const refezione = byId('refezione.iscrizione')
const trasporto = byId('trasporto.iscrizione')
const nidi = byId('nidi.iscrizione')
const estivo = byId('nido-estivo.iscrizione')
type Obj = Record<string, unknown>
const sample = (form: FormDefinition): Obj => structuredClone(form.sample)

test.group('codice fiscale and IBAN', () => {
  test('valid codici fiscali from INTEGRATIONS.md, including an omocodic one', ({ assert }) => {
    for (const cf of ['RSSMRA85T10A562S', 'STTSGT90A01H501J', 'BSCMTT83A12L719R', 'RSSMRA85T10A56NH']) {
      assert.isTrue(isValidCodiceFiscale(cf), cf)
    }
    assert.equal(normalizeOmocodia('RSSMRA85T10A56NH'), 'RSSMRA85T10A562H')
  })

  test('invalid codici fiscali: wrong check character, shape, case, type', ({ assert }) => {
    for (const cf of [
      'RSSMRA85T10A562T',
      'RSSMRA85T10A56NS',
      'RSSMRA85Z10A562S',
      'rssmra85t10a562s',
      'RSSMRA85T10A562',
      '',
      42,
      null,
    ]) {
      assert.isFalse(isValidCodiceFiscale(cf), String(cf))
    }
  })

  test('IBAN check digits (mod 97) and country length', ({ assert }) => {
    assert.isTrue(isValidIban('IT60X0542811101000000123456'))
    assert.isTrue(isValidIban('DE89370400440532013000'))
    assert.isFalse(isValidIban('IT61X0542811101000000123456'), 'wrong check digits')
    assert.isFalse(isValidIban('IT60X054281110100000012345'), 'too short for IT')
    assert.isFalse(isValidIban('IT60 X054 2811 1010 0000 0123 456'), 'spaces')
    assert.isFalse(isValidIban(12345))
  })

  test('the form refuses a bad IBAN and a bad fiscal code with the right rule and path', ({ assert }) => {
    const data: Obj = { ...sample(refezione), payment_channel: 'direct_debit', iban: 'IT61X0542811101000000123456' }
    ;(data.student as Obj).fiscal_code = 'RSSMRA85T10A562T'
    const { errors } = validateSubmission(refezione, data)
    assert.deepInclude(
      errors.map((e) => [e.path, e.rule]),
      ['/iban', 'schema:format']
    )
    assert.deepInclude(
      errors.map((e) => [e.path, e.rule]),
      ['/student/fiscal_code', 'schema:format']
    )
    const cfError = errors.find((e) => e.path === '/student/fiscal_code')!
    assert.include(cfError.message, 'Codice fiscale')
  })
})

test.group('validateSubmission', () => {
  test('the siblings BLOCCO blocks /siblings with its message, in both languages', ({ assert }) => {
    const data = { ...sample(refezione), has_siblings: true }
    const it = validateSubmission(refezione, data)
    assert.isFalse(it.valid)
    assert.deepEqual(it.errors, [
      {
        path: '/siblings',
        rule: 'siblings_missing',
        message:
          'Hai indicato che altri figli frequentano il servizio: inserisci nome, cognome, codice fiscale e scuola di almeno un figlio, oppure rispondi NO.',
      },
    ])
    const en = validateSubmission(refezione, data, { lang: 'en' })
    assert.match(en.errors[0].message, /^You said other children use the service/)
  })

  test('every violation is returned at once: schema, unknown field, BLOCCO, attachment', ({ assert }) => {
    const data = sample(refezione)
    delete data.student
    data.unexpected_field = 'x'
    data.has_siblings = true
    data.isee_choice = 'declared'
    delete data.inps_protocol
    data.disability_104 = true
    data.special_diet = 'yes'
    data.section = 'A'.repeat(10_000)
    data.identity_document = {
      file_id: 'file-doc-0001',
      file_name: 'doc.exe',
      content_type: 'application/x-msdownload',
      size_bytes: 9_000_000,
    }
    const { valid, errors } = validateSubmission(refezione, data)
    assert.isFalse(valid)
    const got = errors.map((e) => `${e.rule} ${e.path}`)
    for (const expected of [
      'schema:required /student',
      'schema:additionalProperties /unexpected_field',
      'schema:type /special_diet',
      'schema:maxLength /section',
      'siblings_missing /siblings',
      'inps_protocol_missing /inps_protocol',
      'disability_104_certificate_missing /disability_104_certificate',
      'attachment:type /identity_document',
      'attachment:size /identity_document',
    ]) {
      assert.include(got, expected)
    }
    for (const e of errors) assert.isAbove(e.message.length, 10)
    const wrongType = errors.find((e) => e.rule === 'attachment:type')!
    assert.include(wrongType.message, 'PDF, JPEG o PNG')
    assert.notInclude(wrongType.message, 'application/')
  })

  test('unknown fields are refused at every level with a clear message', ({ assert }) => {
    const data = sample(refezione)
    ;(data.payer as Obj).nickname = 'Super Mario'
    data.__proto__field = 1
    const { errors } = validateSubmission(refezione, data, { lang: 'en' })
    const nick = errors.find((e) => e.path === '/payer/nickname')
    assert.equal(nick?.rule, 'schema:additionalProperties')
    assert.equal(nick?.message, '«nickname»: this field is not part of the form: remove it.')
    assert.isTrue(errors.some((e) => e.path === '/__proto__field'))
  })

  test('wrong types are reported with what was expected', ({ assert }) => {
    const data = { ...sample(refezione), has_siblings: 'no', isee_value: '8000', siblings: {} }
    const { errors } = validateSubmission(refezione, data)
    const byPath = Object.fromEntries(errors.filter((e) => e.rule === 'schema:type').map((e) => [e.path, e.message]))
    assert.include(byPath['/has_siblings'], 'sì/no')
    assert.include(byPath['/isee_value'], 'numero')
    assert.include(byPath['/siblings'], 'elenco')
  })

  test('a non-object submission is refused without evaluating BLOCCO rules', ({ assert }) => {
    for (const data of [null, 42, 'x', [], undefined]) {
      const result = validateSubmission(refezione, data)
      assert.isFalse(result.valid)
      assert.deepEqual(
        result.errors.map((e) => e.rule),
        ['schema:type']
      )
    }
  })

  test('a declaration not confirmed must be confirmed', ({ assert }) => {
    const data = sample(refezione)
    ;(data.declarations as Obj).truthfulness = false
    const { errors } = validateSubmission(refezione, data)
    assert.deepEqual(
      errors.map((e) => [e.path, e.rule]),
      [['/declarations/truthfulness', 'schema:const']]
    )
    assert.include(errors[0].message, 'confermare')
  })

  test('community-placed minor: the head of the community replaces the parent', ({ assert }) => {
    const data = sample(refezione)
    delete data.payer
    data.applicant_kind = 'community'
    assert.deepEqual(
      validateSubmission(refezione, data).errors.map((e) => e.path),
      ['/community']
    )
    data.community = {
      head_first_name: 'Paola',
      head_last_name: 'Gialli',
      head_birth_date: '1970-04-01',
      head_birth_place: 'Parma',
      community_name: 'Comunità Il Ponte',
      address: { street: 'Via Colombo', house_number: '5', postal_code: '29122', municipality: 'Piacenza' },
      email: 'ilponte@example.org',
    }
    assert.deepEqual(validateSubmission(refezione, data).errors, [])
  })

  test('domicile different from residence requires the domicile', ({ assert }) => {
    const data = { ...sample(trasporto), domicile_differs: true }
    assert.deepEqual(
      validateSubmission(trasporto, data).errors.map((e) => [e.path, e.rule]),
      [['/domicile', 'schema:required']]
    )
  })

  test('nido: an unborn child has a presumed birth date and no fiscal code', ({ assert }) => {
    const data = sample(nidi)
    // Expected births lie ahead (field_rules.ts: a plausible range from the form file).
    const expected = resolveBound('today+3m', todayInRome())
    data.child = { unborn: true, last_name: 'Rossi', presumed_birth_date: expected }
    assert.deepEqual(validateSubmission(nidi, data).errors, [])
    data.child = { unborn: true, fiscal_code: 'RSSMRA85T10A562S' }
    const paths = validateSubmission(nidi, data).errors.map((e) => `${e.rule} ${e.path}`)
    assert.includeMembers(paths, [
      'schema:required /child/presumed_birth_date',
      'schema:false schema /child/fiscal_code',
    ])
  })

  test('nido estivo: several week ranges, not necessarily consecutive', ({ assert }) => {
    const data = sample(estivo)
    data.weeks = [
      { from: '2025-07-07', to: '2025-07-11' },
      { from: '2025-08-18', to: '2025-08-22' },
      { from: '2025-07-28', to: '2025-08-01' },
    ]
    assert.isTrue(validateSubmission(estivo, data).valid)
    data.weeks = []
    assert.deepEqual(
      validateSubmission(estivo, data).errors.map((e) => e.rule),
      ['schema:minItems']
    )
    data.weeks = [{ from: '2025-02-30', to: '2025-03-04' }]
    assert.deepEqual(
      validateSubmission(estivo, data).errors.map((e) => e.path),
      ['/weeks/0/from']
    )
  })

  test('trasporto: a current ISEE needs the monthly plan (Allegato D)', ({ assert }) => {
    const data = { ...sample(trasporto), isee_kind: 'corrente', payment_plan: 'annuale' }
    assert.deepEqual(
      validateSubmission(trasporto, data).errors.map((e) => e.rule),
      ['current_isee_requires_monthly_plan']
    )
  })
})

test.group('drafts (partial validation)', () => {
  test('a nearly empty draft is accepted', ({ assert }) => {
    assert.deepEqual(validateSubmission(refezione, {}, { partial: true }), { valid: true, errors: [] })
    const draft = {
      has_siblings: true,
      payer: { first_name: 'Mario', fiscal_code: 'RSSM' },
      declarations: { truthfulness: false },
    }
    assert.deepEqual(validateSubmission(refezione, draft, { partial: true }).errors, [])
  })

  test('a draft still refuses wrong types, unknown fields and oversized values', ({ assert }) => {
    const draft = { has_siblings: 'maybe', whatever: 1, section: 'x'.repeat(1000), siblings: new Array(6).fill({}) }
    const rules = validateSubmission(refezione, draft, { partial: true }).errors.map((e) => `${e.rule} ${e.path}`)
    assert.includeMembers(rules, [
      'schema:type /has_siblings',
      'schema:additionalProperties /whatever',
      'schema:maxLength /section',
      'schema:maxItems /siblings',
    ])
    assert.notInclude(rules.join(' '), 'siblings_missing')
    assert.notInclude(rules.join(' '), 'schema:required')
  })
})

test.group('tariff preview facts', () => {
  test('refezione maps the form to refezione.tariffa facts', ({ assert }) => {
    const data = {
      ...sample(refezione),
      has_siblings: true,
      siblings: (refezione.blocchi.find((b) => b.id === 'siblings_missing')!.examples.passes as Obj).siblings,
      family_card: true,
      family_card_children: 'more_than_four',
    }
    assert.deepEqual(tariffFacts(refezione, data), {
      ruleset: 'refezione.tariffa',
      facts: {
        residence: 'piacenza',
        isee: 8500.5,
        children_in_paid_services: 2,
        family_card_children: 5,
        disability_104: false,
        foster_care: false,
      },
    })
    const noIsee = applyExample(sample(refezione), {
      isee_choice: 'not_presented',
      isee_value: null,
      inps_protocol: null,
    })
    assert.isNull(tariffFacts(refezione, noIsee)!.facts.isee)
  })

  test('trasporto maps the form to trasporto.tariffa facts', ({ assert }) => {
    assert.deepEqual(tariffFacts(trasporto, sample(trasporto))!.facts, {
      residence: 'piacenza',
      isee: 8500.5,
      transport_children: 1,
      route: 'andata_ritorno',
      plan: 'mensile',
      school_level: 'primaria',
      disability_104: false,
      foster_care: false,
    })
  })
})

test.group('contract checks catch broken forms', () => {
  test('a string without maxLength, an untranslated title, a non-strict object are reported', ({ assert }) => {
    const problems = schemaHygieneProblems({
      type: 'object',
      properties: { note: { type: 'string', title: 'Nota' }, extra: { type: 'object', properties: {} } },
    })
    assert.lengthOf(problems, 4)
  })

  test('uiSchema entries naming unknown fields are reported', ({ assert }) => {
    const problems = uiSchemaProblems(refezione.schema, {
      'ui:order': ['student', 'ghost'],
      'phantom': {},
      'payer': { nope: {} },
    })
    assert.lengthOf(problems, 3)
  })
})
