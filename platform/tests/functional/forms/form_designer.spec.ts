/*
 * Forms in the designer through the API: the autosaved draft, publication from a day, the version
 * a submission keeps, the diff of two versions, export and import, the checks and the roles.
 * Response bodies and form definitions are plain JSON, indexed through `any`.
 */
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import { RequestContext } from '#services/infrastructure/request_context'
import { formDay } from '#services/definitions/form_service'
import { pluginService } from '#services/tenants/plugin_service'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { addField, optionsText, setLimit, setOptions, type FormDefinitionJson } from '#shared/form_fields'
import { FORM, refezioneTenant } from './world.js'

const FUTURE = '2031-09-01'

/** The field a designer adds to the refezione form in these tests. */
function withAllergyNotes(definition: any) {
  const copy = structuredClone(definition)
  copy.schema.properties.allergy_notes = {
    'type': 'string',
    'maxLength': 200,
    'title': 'Allergie o intolleranze da segnalare',
    'x-i18n': { en: { title: 'Allergies or intolerances to report' } },
  }
  copy.uiSchema['ui:order'].push('allergy_notes')
  copy.uiSchema['ui:steps'].at(-1).fields.push('allergy_notes')
  return copy
}

async function world() {
  const w = await refezioneTenant()
  const designer = await makeUser(w.tenant, ['designer'])
  const admin = await makeUser(w.tenant, ['tenant_admin'])
  return { ...w, designer, admin, forms: `${w.base}/forms/${FORM}` }
}

test.group('Form designer: drafts and versions', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a field added in a draft and published from today is what citizens get; earlier submissions keep their version', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, designer, admin, base, forms, sample } = await world()
    const earlier = await client.post(`${forms}/submit`).json({ data: sample }).loginAs(citizen)
    earlier.assertStatus(201)
    assert.equal(earlier.body().submission.formVersion, 1)

    const started = await client.post(`${forms}/draft`).json({}).loginAs(designer)
    started.assertStatus(201)
    assert.equal(started.body().draft.based_on, 1)
    ;(await client.post(`${forms}/draft`).json({}).loginAs(designer)).assertStatus(409)

    const saved = await client
      .put(`${forms}/draft`)
      .json({ definition: withAllergyNotes(started.body().draft.definition) })
      .loginAs(designer)
    saved.assertStatus(200)
    assert.deepEqual(saved.body().problems, [])

    // The designer may not publish here; the tenant admin may.
    const state = await client.get(`${forms}/draft`).loginAs(designer)
    assert.isFalse(state.body().can_publish)
    ;(await client.post(`${forms}/draft/publish`).json({ valid_from: formDay() }).loginAs(designer)).assertStatus(403)
    const published = await client.post(`${forms}/draft/publish`).json({ valid_from: formDay() }).loginAs(admin)
    published.assertStatus(201)
    assert.deepInclude(published.body().version, {
      version: 2,
      valid_from: formDay(),
      in_force: true,
      published_by: admin.id,
    })
    assert.isNull((await client.get(`${forms}/draft`).loginAs(designer)).body().draft)

    const shown = await client.get(forms).loginAs(citizen)
    assert.equal(shown.body().form.currentVersion.version, 2)
    assert.property(shown.body().form.definition.schema.properties, 'allergy_notes')
    assert.equal(shown.body().form.definition.version, 2)

    // The earlier submission still reads on the version it was made on.
    const sid = earlier.body().submission.id
    const mine = await client.get(`${base}/submissions/${sid}`).loginAs(citizen)
    assert.equal(mine.body().submission.formVersion, 1)
    const staffView = await client.get(`${base}/submissions/${sid}/form`).loginAs(admin)
    staffView.assertStatus(200)
    assert.equal(staffView.body().version, 1)
    assert.property(staffView.body().definition.schema.properties, 'school_id')
    assert.notProperty(staffView.body().definition.schema.properties, 'allergy_notes')

    const versions = await client.get(`${forms}/versions`).loginAs(designer)
    assert.deepEqual(
      versions.body().versions.map((v: any) => [v.version, v.in_force]),
      [
        [2, true],
        [1, false],
      ]
    )

    const audit = await RequestContext.withTenant(tenant.ref, () =>
      AuditLog.query().whereIn('entity', ['form_drafts', 'form_versions']).orderBy('id', 'asc')
    )
    const seen = audit.map(
      (a) =>
        `${a.entity}:${a.action}:${a.actorUserId === designer.id ? 'designer' : a.actorUserId === admin.id ? 'admin' : a.actorUserId}`
    )
    assert.includeMembers(seen, [
      'form_drafts:create:designer',
      'form_drafts:update:designer',
      'form_versions:create:admin',
      'form_drafts:delete:admin',
    ])
  })

  test('a version published for a later day waits: the open call keeps its form until then', async ({
    client,
    assert,
  }) => {
    const { citizen, admin, forms } = await world()
    const started = await client.post(`${forms}/draft`).json({}).loginAs(admin)
    await client
      .put(`${forms}/draft`)
      .json({ definition: withAllergyNotes(started.body().draft.definition) })
      .loginAs(admin)
    const published = await client.post(`${forms}/draft/publish`).json({ valid_from: FUTURE }).loginAs(admin)
    published.assertStatus(201)
    assert.isFalse(published.body().version.in_force)

    const shown = await client.get(forms).loginAs(citizen)
    assert.equal(shown.body().form.currentVersion.version, 1)
    assert.notProperty(shown.body().form.definition.schema.properties, 'allergy_notes')
    const list = await client.get(`${forms.replace(`/forms/${FORM}`, '/forms')}`).loginAs(citizen)
    assert.equal(list.body().forms.find((f: any) => f.key === FORM).currentVersion.version, 1)

    // A later version cannot start before it, nor in the past.
    await client.post(`${forms}/draft`).json({}).loginAs(admin)
    const early = await client.post(`${forms}/draft/publish`).json({ valid_from: formDay() }).loginAs(admin)
    early.assertStatus(422)
    assert.equal(early.body().errors[0].path, '/valid_from')
    assert.include(early.body().errors[0].message, FUTURE)
    const past = await client.post(`${forms}/draft/publish`).json({ valid_from: '2020-01-01' }).loginAs(admin)
    past.assertStatus(422)
    const missing = await client.post(`${forms}/draft/publish`).json({}).loginAs(admin)
    missing.assertStatus(422)
    assert.equal(missing.body().errors[0].path, '/valid_from')
  })

  test('a draft that cannot be published is kept, and refused at publication with every problem by path', async ({
    client,
    assert,
  }) => {
    const { admin, forms } = await world()
    const started = await client.post(`${forms}/draft`).json({}).loginAs(admin)
    const broken = structuredClone(started.body().draft.definition)
    broken.schema.properties.school_id.minLength = 'one'
    broken.blocchi.push({
      id: 'gluten_missing',
      condition: { fact: 'gluten_free', operator: 'equal', value: true },
      paths: ['/gluten_notes'],
      message: { it: 'Manca.', en: '' },
      reference: 'prova',
      examples: { fires: {}, passes: {} },
    })
    // No tender reference, and a description in one language only.
    broken.blocchi.push({
      id: 'gluten_described',
      condition: { fact: 'isee_value', operator: 'greaterThan', value: 1 },
      paths: ['/isee_value'],
      message: { it: 'Manca.', en: 'Missing.' },
      reference: ' ',
      description: { it: 'Senza glutine', en: '' },
      examples: { fires: {}, passes: {} },
    })
    const saved = await client.put(`${forms}/draft`).json({ definition: broken }).loginAs(admin)
    saved.assertStatus(200)
    const paths = saved.body().problems.map((p: any) => p.path)
    const at = broken.blocchi.length - 2
    assert.includeMembers(paths, [
      '/schema',
      `/blocchi/${at}/message`,
      `/blocchi/${at}/paths/0`,
      `/blocchi/${at}/condition`,
      `/blocchi/${at + 1}/reference`,
      `/blocchi/${at + 1}/description`,
    ])
    assert.notInclude(paths, `/blocchi/${at}/reference`)
    assert.notInclude(paths, `/blocchi/${at}/description`)
    const kept = await client.get(`${forms}/draft`).loginAs(admin)
    assert.equal(kept.body().draft.definition.schema.properties.school_id.minLength, 'one')

    const refused = await client
      .post(`${forms}/draft/publish`)
      .json({ valid_from: formDay() })
      .loginAs(admin)
      .header('accept-language', 'en')
    refused.assertStatus(422)
    assert.deepEqual(
      refused.body().errors.map((e: any) => e.path),
      paths
    )
    const condition = refused.body().errors.find((e: any) => e.path === `/blocchi/${at}/condition`)
    assert.include(condition.message, 'gluten_free')
    assert.equal((await client.get(`${forms}/versions`).loginAs(admin)).body().versions.length, 1)

    ;(await client.put(`${forms}/draft`).json({ definition: 'nope' }).loginAs(admin)).assertStatus(422)
    ;(await client.delete(`${forms}/draft`).loginAs(admin)).assertStatus(204)
    ;(await client.put(`${forms}/draft`).json({ definition: broken }).loginAs(admin)).assertStatus(404)
  })

  test('two versions side by side: fields added, removed and changed, rules changed', async ({ client, assert }) => {
    const { admin, forms } = await world()
    const started = await client.post(`${forms}/draft`).json({}).loginAs(admin)
    const changed = withAllergyNotes(started.body().draft.definition)
    delete changed.schema.properties.class_year
    delete changed.uiSchema.class_year
    changed.uiSchema['ui:order'] = changed.uiSchema['ui:order'].filter((k: string) => k !== 'class_year')
    changed.schema.properties.section.title = 'Sezione (lettera)'
    changed.blocchi[0].message.it = 'Elenca i fratelli.'
    await client.put(`${forms}/draft`).json({ definition: changed }).loginAs(admin)

    const diff = await client.get(`${forms}/diff?from=1&to=draft`).loginAs(admin)
    diff.assertStatus(200)
    const d = diff.body().diff
    assert.deepEqual(
      d.fields.added.map((f: any) => f.path),
      ['/allergy_notes']
    )
    assert.deepEqual(d.fields.added[0].title, {
      it: 'Allergie o intolleranze da segnalare',
      en: 'Allergies or intolerances to report',
    })
    assert.deepEqual(
      d.fields.removed.map((f: any) => f.path),
      ['/class_year']
    )
    const section = d.fields.changed.find((f: any) => f.path === '/section')
    assert.deepEqual(section.changes, [{ what: 'title', before: 'Sezione', after: 'Sezione (lettera)' }])
    assert.deepEqual(
      d.rules.changed.map((r: any) => [r.id, r.changes.map((c: any) => c.what)]),
      [[changed.blocchi[0].id, ['message']]]
    )
    assert.includeMembers(d.other, ['ui:order', 'ui:steps'])
    ;(await client.get(`${forms}/diff?from=x&to=1`).loginAs(admin)).assertStatus(422)
    ;(await client.get(`${forms}/diff?from=9&to=1`).loginAs(admin)).assertStatus(404)
  })

  test('a form exported from one tenant arrives in another as an unpublished draft', async ({ client, assert }) => {
    const { admin, forms } = await world()
    const started = await client.post(`${forms}/draft`).json({}).loginAs(admin)
    await client
      .put(`${forms}/draft`)
      .json({ definition: withAllergyNotes(started.body().draft.definition) })
      .loginAs(admin)
    await client.post(`${forms}/draft/publish`).json({ valid_from: formDay() }).loginAs(admin)
    const exported = await client.get(`${forms}/export`).loginAs(admin)
    exported.assertStatus(200)
    assert.include(exported.header('content-disposition'), `${FORM}.v2.json`)
    const file = exported.body()
    assert.deepInclude(file, { format: 'sportello.form', form: FORM, version: 2 })

    const other = await makeTenant()
    await pluginService.enable(other, 'refezione')
    const otherAdmin = await makeUser(other, ['tenant_admin'])
    const otherCitizen = await makeUser(other, ['citizen'])
    const otherForms = `/api/v1/t/${other.slug}/forms`
    const imported = await client.post(`${otherForms}/import`).json(file).loginAs(otherAdmin)
    imported.assertStatus(201)
    assert.deepInclude(imported.body().draft, { form: FORM, origin: 'import', based_on: 1 })
    // Unpublished: citizens there still get their own version.
    const shown = await client.get(`${otherForms}/${FORM}`).loginAs(otherCitizen)
    assert.equal(shown.body().form.currentVersion.version, 1)
    assert.notProperty(shown.body().form.definition.schema.properties, 'allergy_notes')
    const diff = await client.get(`${otherForms}/${FORM}/diff?from=1&to=draft`).loginAs(otherAdmin)
    assert.deepEqual(
      diff.body().diff.fields.added.map((f: any) => f.path),
      ['/allergy_notes']
    )
    // A second import waits for the draft to be published or discarded; a file that is not a form is refused.
    ;(await client.post(`${otherForms}/import`).json(file).loginAs(otherAdmin)).assertStatus(409)
    const junk = await client.post(`${otherForms}/import`).json({ hello: 'world' }).loginAs(otherAdmin)
    junk.assertStatus(422)
    assert.equal(junk.body().errors[0].path, '/format')
    const broken = structuredClone(file)
    broken.definition.blocchi[0].paths = ['/nowhere']
    ;(await client.delete(`${otherForms}/${FORM}/draft`).loginAs(otherAdmin)).assertStatus(204)
    const refused = await client.post(`${otherForms}/import`).json(broken).loginAs(otherAdmin)
    refused.assertStatus(422)
    assert.equal(refused.body().errors[0].path, '/definition/blocchi/0/paths/0')
  })

  test('roles: operators and citizens do not reach the designer; a designer publishes where the tenant allows it', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, designer, forms } = await world()
    for (const user of [citizen, operator]) {
      ;(await client.get(`${forms}/versions`).loginAs(user)).assertStatus(403)
      ;(await client.post(`${forms}/draft`).json({}).loginAs(user)).assertStatus(403)
    }
    await RequestContext.asSystem('test', async () => {
      tenant.settings = { ...tenant.settings, designer: { designers_publish: true } }
      await tenant.save()
    })
    await client.post(`${forms}/draft`).json({}).loginAs(designer)
    assert.isTrue((await client.get(`${forms}/draft`).loginAs(designer)).body().can_publish)
    ;(await client.post(`${forms}/draft/publish`).json({ valid_from: formDay() }).loginAs(designer)).assertStatus(201)
  })
  test('a BLOCCO rule published from a draft holds on the server: a submission breaking it is refused at the field in it and en, one respecting it goes through', async ({
    client,
    assert,
  }) => {
    const { citizen, admin, forms, sample } = await world()
    const started = await client.post(`${forms}/draft`).json({}).loginAs(admin)
    const definition = structuredClone(started.body().draft.definition)
    definition.schema.properties.meals_per_week = {
      'type': 'number',
      'minimum': 0,
      'maximum': 999999,
      'title': 'Giorni di mensa a settimana',
      'x-i18n': { en: { title: 'Canteen days a week' } },
    }
    definition.uiSchema['ui:order'].push('meals_per_week')
    definition.uiSchema['ui:steps'].at(-1).fields.push('meals_per_week')
    const message = {
      it: 'La mensa funziona al più 5 giorni a settimana: indica un numero da 1 a 5.',
      en: 'The canteen runs 5 days a week at most: give a number from 1 to 5.',
    }
    definition.blocchi.push({
      id: 'troppi_giorni_mensa',
      condition: { fact: 'meals_per_week', operator: 'greaterThan', value: 5 },
      paths: ['/meals_per_week'],
      message,
      reference: 'Capitolato, art. 4 (calendario)',
    })
    const saved = await client.put(`${forms}/draft`).json({ definition }).loginAs(admin)
    assert.deepEqual(saved.body().problems, [])
    ;(await client.post(`${forms}/draft/publish`).json({ valid_from: formDay() }).loginAs(admin)).assertStatus(201)

    for (const lang of ['it', 'en'] as const) {
      const refused = await client
        .post(`${forms}/submit`)
        .header('Accept-Language', lang)
        .json({ data: { ...sample, meals_per_week: 6 } })
        .loginAs(citizen)
      assert.equal(refused.status(), 422, JSON.stringify(refused.body()).slice(0, 300))
      assert.deepInclude(refused.body().errors, {
        path: '/meals_per_week',
        rule: 'troppi_giorni_mensa',
        message: message[lang],
      })
    }
    const sent = await client
      .post(`${forms}/submit`)
      .json({ data: { ...sample, meals_per_week: 5 } })
      .loginAs(citizen)
    sent.assertStatus(201)
    assert.equal(sent.body().submission.formVersion, 2)
  })

  test('a field added inside a repeated group and a shared choice relabelled, published: the server checks the new field in every item', async ({
    client,
    assert,
  }) => {
    const { citizen, admin, forms, sample } = await world()
    const started = await client.post(`${forms}/draft`).json({}).loginAs(admin)
    let definition = started.body().draft.definition as FormDefinitionJson
    definition = addField(
      definition,
      {
        key: 'class_name',
        kind: 'text',
        labelIt: 'Classe frequentata',
        labelEn: 'Class attended',
        required: true,
        options: '',
        source: '',
        step: '',
      },
      ['siblings', '*']
    )
    definition = setLimit(definition, ['siblings', '*', 'class_name'], 'maxLength', 20)
    definition = setOptions(
      definition,
      ['applicant_kind'],
      optionsText(definition, ['applicant_kind'])!.replace('Parent or guardian (payer)', 'Parent or legal guardian')
    )
    const saved = await client.put(`${forms}/draft`).json({ definition }).loginAs(admin)
    assert.deepEqual(saved.body().problems, [])
    const diff = await client.get(`${forms}/diff?from=1&to=draft`).loginAs(admin)
    assert.deepInclude(
      diff.body().diff.fields.added.map((f: any) => f.path),
      '/siblings/*/class_name'
    )
    assert.include(
      diff.body().diff.fields.changed.map((f: any) => f.path),
      '/applicant_kind'
    )
    ;(await client.post(`${forms}/draft/publish`).json({ valid_from: formDay() }).loginAs(admin)).assertStatus(201)

    const sibling = { first_name: 'Giulia', last_name: 'Rossi', fiscal_code: (sample.student as any).fiscal_code }
    const withSibling = (item: Record<string, unknown>) => ({ ...sample, has_siblings: true, siblings: [item] })
    const missing = await client
      .post(`${forms}/submit`)
      .json({ data: withSibling(sibling) })
      .loginAs(citizen)
    assert.equal(missing.status(), 422, JSON.stringify(missing.body()).slice(0, 300))
    assert.deepInclude(
      missing.body().errors.map((e: any) => [e.path, e.rule]),
      ['/siblings/0/class_name', 'schema:required']
    )
    const long = await client
      .post(`${forms}/submit`)
      .header('Accept-Language', 'en')
      .json({ data: withSibling({ ...sibling, class_name: 'x'.repeat(21) }) })
      .loginAs(citizen)
    assert.equal(long.status(), 422)
    assert.deepInclude(
      long.body().errors.map((e: any) => [e.path, e.rule]),
      ['/siblings/0/class_name', 'schema:maxLength']
    )
    const shown = await client.get(forms).loginAs(citizen)
    const kinds = shown.body().form.definition.schema.$defs['school_fees.applicant_kind']
    assert.equal(kinds['x-i18n'].en.enum.parent, 'Parent or legal guardian')
  })
})
