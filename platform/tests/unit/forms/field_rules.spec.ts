import { test } from '@japa/runner'
import { loadDefaultForms } from '#services/content/default_content'
import { fieldRuleErrors, validateSubmission } from '#forms/validator'
import {
  dateFieldsWithoutRange,
  forbiddenCharacter,
  resolveBound,
  todayInRome,
  withDefaultDateRanges,
} from '#forms/field_rules'
import type { FormDefinition } from '#forms/types'

async function refezione(): Promise<FormDefinition> {
  const forms = await loadDefaultForms()
  const form = forms.get('refezione.iscrizione') as unknown as { definition?: FormDefinition; json: FormDefinition }
  return form.definition ?? form.json
}

test.group('Field rules: control characters', () => {
  test('C0, DEL, C1, bidi overrides and isolates, lone surrogates are found; tab and newlines only in a textarea', ({
    assert,
  }) => {
    for (const [text, code] of [
      ['Via Roma\u0000', 'U+0000'],
      ['Via \u202Eamor aiV', 'U+202E'],
      ['\u2066isolated\u2069', 'U+2066'],
      ['bell\u0007', 'U+0007'],
      ['del\u007F', 'U+007F'],
      ['c1\u0085', 'U+0085'],
      ['half \uD800 a pair', 'U+D800'],
      ['\uDC00 low half', 'U+DC00'],
      ['a pair 😀 then half of one \uD83D', 'U+D83D'],
      ['😀\uDE00 a low half after a pair', 'U+DE00'],
      ['tab\there', 'U+0009'],
      ['two\nlines', 'U+000A'],
    ] as const) {
      assert.equal(forbiddenCharacter(text), code, JSON.stringify(text))
    }
    assert.isNull(forbiddenCharacter('two\nlines\tand a tab', true))
    assert.equal(forbiddenCharacter('still \u202E no', true), 'U+202E')
    // Real text of every script passes, emoji (surrogate pairs) and right-to-left letters included.
    for (const text of ['Ștefan Müller-Ñúñez', 'Дмитрий', 'محمد علي', "D'Angelo & Figli 😀", 'שלום']) {
      assert.isNull(forbiddenCharacter(text), text)
    }
  })

  test('a submission with NUL or a right-to-left override is refused at the field, in it and en', async ({
    assert,
  }) => {
    const form = await refezione()
    const data = structuredClone(form.sample) as any
    data.payer.residence.street = 'Via Roma\u0000'
    data.payer.birth_place = 'Piacenza\u202E'
    for (const lang of ['it', 'en'] as const) {
      const result = validateSubmission(form, data, { lang })
      const control = result.errors.filter((e) => e.rule === 'text:control')
      assert.sameMembers(
        control.map((e) => e.path),
        ['/payer/residence/street', '/payer/birth_place']
      )
      assert.include(control[0].message, lang === 'it' ? 'carattere non ammesso' : 'not allowed')
      assert.include(control.map((e) => e.message).join(' '), 'U+0000')
    }
    // A draft is refused too: a control character is not an unfinished answer.
    const draft = validateSubmission(form, data, { lang: 'it', partial: true })
    assert.isTrue(draft.errors.some((e) => e.rule === 'text:control'))
  })

  test('a textarea may hold line breaks and tabs, nothing else', async ({ assert }) => {
    const form = structuredClone(await refezione())
    ;(form.schema.properties as any).notes = { type: 'string', maxLength: 500, title: 'Note' }
    form.uiSchema = { ...form.uiSchema, notes: { 'ui:widget': 'textarea' } }
    const data = { ...(structuredClone(form.sample) as any), notes: 'riga uno\nriga\tdue' }
    assert.deepEqual(fieldRuleErrors(form, data, 'it'), [])
    data.notes = 'riga uno\n\u202Eriga due'
    assert.equal(fieldRuleErrors(form, data, 'it')[0].path, '/notes')
    // Any other text field refuses the line break, and says so.
    data.notes = 'riga uno'
    data.payer.birth_place = 'Piacenza\n'
    const refused = fieldRuleErrors(form, data, 'en')
    assert.deepEqual(
      refused.map((e) => e.path),
      ['/payer/birth_place']
    )
    assert.include(refused[0].message, 'or a line break')
  })
})

test.group('Field rules: plausible dates', () => {
  test('bounds relative to today resolve in calendar days', ({ assert }) => {
    assert.equal(resolveBound('today', '2026-03-31'), '2026-03-31')
    assert.equal(resolveBound('today-120y', '2026-03-31'), '1906-03-31')
    assert.equal(resolveBound('today+10m', '2026-03-31'), '2027-01-31')
    assert.equal(resolveBound('today-1m', '2026-03-31'), '2026-02-28')
    assert.equal(resolveBound('today+2d', '2026-12-31'), '2027-01-02')
    assert.equal(resolveBound('1900-01-01', '2026-03-31'), '1900-01-01')
    assert.match(todayInRome(), /^\d{4}-\d{2}-\d{2}$/)
  })

  test("today is Rome's calendar day, to the second around its midnight, in winter and in summer", ({ assert }) => {
    for (const [instant, day] of [
      ['2026-01-14T22:59:59.999Z', '2026-01-14'],
      ['2026-01-14T23:00:00.000Z', '2026-01-15'],
      ['2026-01-14T23:00:59.999Z', '2026-01-15'],
      ['2026-07-14T21:59:59.999Z', '2026-07-14'],
      ['2026-07-14T22:00:00.000Z', '2026-07-15'],
      ['2026-07-14T21:59:00.000Z', '2026-07-14'],
      // The night the clocks go forward (29 March 2026, 02:00 CET becomes 03:00 CEST).
      ['2026-03-28T22:59:59.000Z', '2026-03-28'],
      ['2026-03-28T23:00:00.000Z', '2026-03-29'],
    ] as const) {
      assert.equal(todayInRome(new Date(instant)), day, instant)
    }
  })

  test("a child's birth date of 9999-12-31, one in the future, one before 1900: refused with the range", async ({
    assert,
  }) => {
    const form = await refezione()
    const today = todayInRome()
    for (const birth of [
      '9999-12-31',
      resolveBound('today+1d', today),
      '1899-12-31',
      resolveBound('today-26y', today),
    ]) {
      const data = structuredClone(form.sample) as any
      data.student.birth_date = birth
      const errors = validateSubmission(form, data, { lang: 'it' }).errors.filter(
        (e) => e.rule === 'schema:x-date-range'
      )
      assert.lengthOf(errors, 1, birth)
      assert.equal(errors[0].path, '/student/birth_date')
      // The field's own range (the narrower), not the default one of every date.
      assert.include(errors[0].message, 'Data di nascita')
      assert.include(errors[0].message, `e il ${today.split('-').reverse().join('/')}`)
    }
    const en = structuredClone(form.sample) as any
    en.student.birth_date = '9999-12-31'
    assert.include(fieldRuleErrors(form, en, 'en')[0].message, 'the date must be between')
    // Drafts keep relative ranges for the sending: "today" moves.
    assert.isFalse(
      validateSubmission(form, en, { lang: 'it', partial: true }).errors.some((e) => e.rule === 'schema:x-date-range')
    )
  })

  test('a date field that states no range gets the default one; contract tests list such fields', async ({
    assert,
  }) => {
    const schema = {
      type: 'object',
      $defs: { day: { type: 'string', format: 'date', maxLength: 10 } },
      properties: {
        own: { '$ref': '#/$defs/day', 'x-date-range': { min: 'today' } },
        bare: { $ref: '#/$defs/day' },
        inline: { type: 'string', format: 'date', maxLength: 10 },
      },
    }
    assert.deepEqual(dateFieldsWithoutRange(schema), ['/properties/bare', '/properties/inline'])
    const defaulted = withDefaultDateRanges(schema) as any
    assert.deepEqual(defaulted.$defs.day['x-date-range'], { min: '1900-01-01', max: 'today+50y' })
    assert.deepEqual(defaulted.properties.own['x-date-range'], { min: 'today' })
  })
})
