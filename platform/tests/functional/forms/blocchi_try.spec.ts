/*
 * "Try it" for a form's BLOCCO rules: POST /forms/:id/blocchi/try. Answers are plain JSON read as
 * the API returns them, indexed through `any`.
 */
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { findCurrentForm } from '#services/definitions/form_service'
import { validateSubmission } from '#forms/validator'
import { errorShapeProblem } from '#shared/contract'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { FORM, refezioneSample } from './world.js'

async function world() {
  const tenant = await makeTenant()
  await pluginService.enable(tenant, 'refezione')
  const other = await makeTenant()
  return {
    tenant,
    other,
    url: `/api/v1/t/${tenant.slug}/forms/${FORM}/blocchi/try`,
    designer: await makeUser(tenant, ['designer']),
    admin: await makeUser(tenant, ['tenant_admin']),
    operator: await makeUser(tenant, ['operator']),
    citizen: await makeUser(tenant, ['citizen']),
    otherDesigner: await makeUser(other, ['designer']),
    sample: await refezioneSample(),
  }
}

/** A sample with two BLOCCO rules broken: siblings announced but none given, no ISEE choice. */
function broken(sample: Record<string, unknown>) {
  const data: Record<string, unknown> = { ...sample, has_siblings: true, siblings: [] }
  delete data.isee_choice
  return data
}

test.group('Forms: BLOCCO rules tried on sample data', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the version in force answers which rules fire and where, as the submission would be refused', async ({
    client,
    assert,
  }) => {
    const w = await world()
    const clean = await client.post(w.url).json({ data: w.sample }).loginAs(w.designer)
    clean.assertStatus(200)
    assert.equal(clean.body().fired, 0)
    assert.deepEqual(clean.body().fields, [])
    assert.isAbove(clean.body().rules.length, 10)

    const data = broken(w.sample)
    const answer = await client.post(w.url).json({ data }).loginAs(w.designer)
    answer.assertStatus(200)
    const body = answer.body()
    assert.equal(body.form, FORM)
    assert.equal(body.version, 1)
    assert.isFalse(body.draft)
    const fired = body.rules.filter((r: any) => r.fires).map((r: any) => r.id)
    assert.includeMembers(fired, ['siblings_missing', 'isee_choice_missing'])
    assert.equal(body.fired, fired.length)
    const siblings = body.fields.find((f: any) => f.path === '/siblings')
    assert.equal(siblings.rules[0].rule, 'siblings_missing')
    assert.match(siblings.rules[0].message, /^Hai indicato che altri figli/)

    // The same rules and fields a submission of these data is refused for: one evaluation, not two.
    const current = await RequestContext.withTenant(w.tenant.ref, () => findCurrentForm(FORM))
    const ids = new Set(current!.definition.blocchi.map((b) => b.id))
    const refused = validateSubmission(current!.definition, data, { lang: 'it' })
      .errors.filter((e) => ids.has(e.rule))
      .map((e) => `${e.rule} ${e.path} ${e.message}`)
      .sort()
    const tried = body.fields.flatMap((f: any) => f.rules.map((r: any) => `${r.rule} ${f.path} ${r.message}`)).sort()
    assert.deepEqual(tried, refused)

    const english = await client.post(w.url).header('Accept-Language', 'en').json({ data }).loginAs(w.admin)
    english.assertStatus(200)
    assert.match(english.body().fields.find((f: any) => f.path === '/siblings').rules[0].message, /^You said/)

    // A published version by its number.
    const first = await client.post(w.url).json({ data, version: 1 }).loginAs(w.designer)
    first.assertStatus(200)
    assert.deepEqual(first.body().fields, body.fields)
  })

  test('the rules of a draft, as the builder holds them, are tried before they are saved', async ({
    client,
    assert,
  }) => {
    const w = await world()
    const draft = {
      conditions: { many: { fact: 'siblings', path: '$.length', operator: 'greaterThan', value: 1 } },
      blocchi: [
        {
          id: 'isee_too_high',
          condition: {
            all: [{ fact: 'isee_value', operator: 'greaterThan', value: 50000 }, { not: { condition: 'many' } }],
          },
          paths: ['/isee_value'],
          message: { it: 'ISEE troppo alto per questa prova.', en: 'ISEE too high for this try.' },
          reference: 'Art. 1',
        },
        {
          id: 'broken',
          condition: { fact: 'isee_value', operator: 'likes', value: 1 },
          paths: ['/isee_value', '/student'],
          message: { it: 'Regola rotta.', en: 'Broken rule.' },
        },
      ],
    }
    const answer = await client
      .post(w.url)
      .json({ data: { ...w.sample, isee_value: 60000 }, draft })
      .loginAs(w.designer)
    answer.assertStatus(200)
    const body = answer.body()
    assert.isTrue(body.draft)
    assert.isNull(body.version)
    assert.deepEqual(
      body.rules.map((r: any) => [r.id, r.fires, r.unevaluable]),
      [
        ['isee_too_high', true, false],
        ['broken', true, true],
      ]
    )
    assert.deepEqual(
      body.fields.map((f: any) => [f.path, f.rules.map((r: any) => r.rule)]),
      [
        ['/isee_value', ['isee_too_high', 'broken']],
        ['/student', ['broken']],
      ]
    )
    // A rule that cannot be evaluated blocks, and says so (as at submit).
    assert.notEqual(body.rules[1].message, 'Regola rotta.')
    assert.include(body.rules[1].message, 'Regola rotta.')

    const low = await client
      .post(w.url)
      .json({ data: { ...w.sample, isee_value: 1000 }, draft })
      .loginAs(w.designer)
    assert.deepEqual(
      low.body().rules.map((r: any) => r.fires),
      [false, true]
    )
  })

  test('without a version, the rules tried are those of the version in force on the chosen day (today unless given)', async ({
    client,
    assert,
  }) => {
    const w = await world()
    // A version 2 from a later day that drops the siblings rule: before that day version 1 is in force.
    const start = await client.post(`/api/v1/t/${w.tenant.slug}/forms/${FORM}/draft`).json({}).loginAs(w.admin)
    start.assertStatus(201)
    const definition = start.body().draft.definition
    definition.blocchi = definition.blocchi.filter((b: any) => b.id !== 'siblings_missing')
    const saved = await client
      .put(`/api/v1/t/${w.tenant.slug}/forms/${FORM}/draft`)
      .json({ definition })
      .loginAs(w.admin)
    saved.assertStatus(200)
    const later = DateTime.now().setZone('Europe/Rome').plus({ days: 30 }).toISODate()!
    const published = await client
      .post(`/api/v1/t/${w.tenant.slug}/forms/${FORM}/draft/publish`)
      .json({ valid_from: later })
      .loginAs(w.admin)
    published.assertStatus(201)
    assert.equal(published.body().version.version, 2)

    const data = broken(w.sample)
    const fired = (body: any) => body.rules.filter((r: any) => r.fires).map((r: any) => r.id)
    const today = await client.post(w.url).json({ data }).loginAs(w.designer)
    today.assertStatus(200)
    assert.equal(today.body().version, 1, 'today the version in force is 1, not the later one')
    assert.include(fired(today.body()), 'siblings_missing')

    const then = await client.post(w.url).json({ data, at: later }).loginAs(w.designer)
    then.assertStatus(200)
    assert.equal(then.body().version, 2)
    assert.equal(then.body().valid_from, later)
    assert.notInclude(fired(then.body()), 'siblings_missing')
    assert.include(fired(then.body()), 'isee_choice_missing')

    const dayBefore = DateTime.fromISO(later).minus({ days: 1 }).toISODate()!
    const before = await client.post(w.url).json({ data, at: dayBefore }).loginAs(w.designer)
    assert.equal(before.body().version, 1)

    for (const [json, path] of [
      [{ data, at: '2026-02-30' }, '/at'],
      [{ data, at: 20260101 }, '/at'],
      [{ data, at: later, version: 1 }, '/at'],
      [{ data, at: later, draft: { blocchi: [] } }, '/at'],
    ] as const) {
      const refused = await client.post(w.url).json(json).loginAs(w.designer)
      refused.assertStatus(422)
      assert.isNull(errorShapeProblem(refused.body()))
      assert.equal(refused.body().errors[0].path, path)
    }
    const early = await client.post(w.url).json({ data, at: '1900-01-01' }).loginAs(w.designer)
    // Version 1 of a tenant's form has no start: it is in force from the beginning.
    early.assertStatus(200)
    assert.equal(early.body().version, 1)
  })

  test('only the designer and the tenant admin try rules, of their own tenant', async ({ client, assert }) => {
    const w = await world()
    for (const who of [w.operator, w.citizen]) {
      const refused = await client.post(w.url).json({ data: w.sample }).loginAs(who)
      refused.assertStatus(403)
      assert.isNull(errorShapeProblem(refused.body()))
    }
    // Another tenant's designer: not a member here; in their own tenant the form does not exist.
    const outside = await client.post(w.url).json({ data: w.sample }).loginAs(w.otherDesigner)
    outside.assertStatus(403)
    const own = await client
      .post(`/api/v1/t/${w.other.slug}/forms/${FORM}/blocchi/try`)
      .json({ data: w.sample })
      .loginAs(w.otherDesigner)
    own.assertStatus(404)
    assert.isNull(errorShapeProblem(own.body()))
    const anonymous = await client.post(w.url).json({ data: w.sample })
    anonymous.assertStatus(401)
  })

  test('every input is bounded and every refusal has the error shape, in both languages', async ({
    client,
    assert,
  }) => {
    const w = await world()
    const rule = (i: number) => ({
      id: `r${i}`,
      condition: { fact: 'x', operator: 'exists' },
      paths: ['/x'],
      message: { it: 'x', en: 'x' },
    })
    const cases: Array<{ json: unknown; status: number; path?: string }> = [
      { json: {}, status: 422, path: '/data' },
      { json: { data: [1] }, status: 422, path: '/data' },
      { json: { data: {}, version: 1.5 }, status: 422, path: '/version' },
      { json: { data: {}, version: '1' }, status: 422, path: '/version' },
      { json: { data: {}, version: 99 }, status: 404, path: '/version' },
      { json: { data: {}, version: 1, draft: { blocchi: [] } }, status: 422, path: '/version' },
      { json: { data: {}, draft: [] }, status: 422, path: '/draft' },
      { json: { data: {}, draft: { blocchi: {} } }, status: 422, path: '/draft/blocchi' },
      { json: { data: {}, draft: { blocchi: [{ ...rule(0), id: '' }] } }, status: 422, path: '/draft/blocchi/0/id' },
      {
        json: { data: {}, draft: { blocchi: [{ ...rule(0), paths: '/x' }] } },
        status: 422,
        path: '/draft/blocchi/0/paths',
      },
      {
        json: { data: {}, draft: { blocchi: [{ ...rule(0), message: { it: 'x' } }] } },
        status: 422,
        path: '/draft/blocchi/0/message',
      },
      { json: { data: {}, draft: { blocchi: [rule(0)], conditions: [] } }, status: 422, path: '/draft/conditions' },
      { json: { data: {}, draft: { blocchi: Array.from({ length: 501 }, (_, i) => rule(i)) } }, status: 413 },
    ]
    for (const c of cases) {
      for (const lang of ['it', 'en']) {
        const answer = await client.post(w.url).header('Accept-Language', lang).json(c.json).loginAs(w.designer)
        answer.assertStatus(c.status)
        assert.isNull(errorShapeProblem(answer.body()), JSON.stringify(c.json).slice(0, 80))
        if (c.path) assert.equal(answer.body().errors[0].path, c.path)
        const message: string = answer.body().errors[0].message
        if (lang === 'en') assert.notMatch(message, /Indicare|deve|bozza/, message)
      }
    }
    // A body past the parser's limit is refused before it is read.
    const huge = await client
      .post(w.url)
      .json({ data: { text: 'x'.repeat(300 * 1024) } })
      .loginAs(w.designer)
    huge.assertStatus(413)
    assert.isNull(errorShapeProblem(huge.body()))

    // A condition nested far deeper than any rule is refused by the body's depth bound, in the error shape.
    const depth = 20000
    const deep = `${'{"not":'.repeat(depth)}{"fact":"x","operator":"exists"}${'}'.repeat(depth)}`
    const text = `{"data":{},"draft":{"blocchi":[{"id":"r0","paths":["/x"],"message":{"it":"x","en":"x"},"condition":${deep}}]}}`
    const nested = await client.post(w.url).unsafeJson(text).type('application/json').loginAs(w.designer)
    nested.assertStatus(400)
    assert.isNull(errorShapeProblem(nested.body()))
    const health = await client.get('/health')
    assert.oneOf(health.status(), [200, 503])
  })
})
