/*
 * Response bodies and rule set documents are plain JSON read as the API
 * returns them, so these tests index them through `any` rather than
 * restating every shape.
 */
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import type User from '#models/user'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import RuleSetVersion from '#models/rule_set_version'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'

const TARIFFA = 'refezione.tariffa'
const base = (slug: string) => `/api/v1/t/${slug}/rulesets`

async function piacenzaLike() {
  const tenant = await makeTenant({ name: 'Comune di Piacenza (prova)' })
  await pluginService.enable(tenant, 'refezione')
  return tenant
}

/**
 * The refezione tariff as a designer would change it: the version in force
 * copied, the Intera / 1 figlio cell raised from 5.69 to 5.99 from
 * `validFrom`, its golden cases moved into the new period with the new cell.
 */
function raisedIntera(current: Record<string, any>, validFrom: string, at: string) {
  const body = structuredClone(current)
  delete body.version
  body.valid_from = validFrom
  body.valid_to = null
  body.note = { it: 'Tariffa Intera 1 figlio aumentata (prova)', en: 'Intera single-child fee raised (test)' }
  body.tables.refezione.cells.intera['1_figlio'] = '5.99'
  body.tests = body.tests
    .filter((tc: any) => !tc.name.includes('still in force'))
    .map((tc: any) => {
      const expected = { ...tc.expected }
      if (expected.amount === '5.69') expected.amount = '5.99'
      return { ...tc, at, name: tc.name.replace('5.69', '5.99'), expected }
    })
  return body
}

async function currentBody(client: ApiClient, slug: string, user: User) {
  const show = await client.get(`${base(slug)}/${TARIFFA}`).loginAs(user)
  show.assertStatus(200)
  const versions = show.body().ruleset.versions
  return versions[versions.length - 1].body as Record<string, any>
}

test.group('Rule sets over HTTP: evaluate', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the Piacenza meal fee comes with a trace naming the band and the table cell', async ({ client, assert }) => {
    const tenant = await piacenzaLike()
    const citizen = await makeUser(tenant, ['citizen'])
    const response = await client
      .post(`${base(tenant.slug)}/${TARIFFA}/evaluate`)
      .json({ at: '2021-10-01', facts: { residence: 'piacenza', isee: 12000 } })
      .loginAs(citizen)
    response.assertStatus(200)
    const body = response.body()
    assert.equal(body.ruleset, TARIFFA)
    assert.equal(body.version, 2)
    assert.equal(body.at, '2021-10-01')
    assert.equal(body.result.amount, '5.69')
    assert.equal(body.result.band, 'intera')
    const band = body.trace.find((t: any) => t.set === 'isee_band')
    assert.exists(band, 'the trace names the ISEE band')
    assert.include(band.message, 'fascia Intera')
    const cell = body.trace.find((t: any) => t.kind === 'table')
    assert.deepInclude(cell, { table: 'refezione', row: 'intera', column: '1_figlio', value: '5.69' })
    // Beside the trace: the unit of each amount, and the summary a family reads (Italian by default).
    assert.deepEqual(body.units, { amount: 'meal' })
    assert.equal(body.summary.band, 'Intera')
    assert.equal(body.summary.amount, '5.69')
    assert.equal(body.summary.unit, 'meal')
    assert.isFalse(body.summary.exempt)
    assert.include(body.summary.text, 'Tariffa: 5,69 € a pasto, fascia Intera.')
    assert.include(body.summary.reasons, 'ISEE di 12.000,00 €, oltre 9.000,00 €: fascia Intera.')

    const english = await client
      .post(`${base(tenant.slug)}/${TARIFFA}/evaluate`)
      .header('accept-language', 'en')
      .json({ at: '2021-10-01', facts: [{ residence: 'piacenza', isee: 12000 }, { residence: 'other' }] })
      .loginAs(citizen)
    english.assertStatus(200)
    assert.equal(english.body()[0].summary.band, 'Full')
    assert.equal(english.body()[0].summary.text.split('. ')[0], 'Fee: €5.69 per meal, Full band')
    assert.equal(english.body()[1].summary.amount, '5.89')
    assert.deepEqual(english.body()[1].units, { amount: 'meal' })
  })

  test('an array of facts is answered in the same order', async ({ client, assert }) => {
    const tenant = await piacenzaLike()
    const operator = await makeUser(tenant, ['operator'])
    const facts = [
      { residence: 'piacenza', isee: 12000 },
      { residence: 'piacenza', isee: 4300 },
      { residence: 'other' },
      { residence: 'piacenza', isee: 6000 },
    ]
    const response = await client
      .post(`${base(tenant.slug)}/${TARIFFA}/evaluate`)
      .json({ at: '2021-10-01', facts })
      .loginAs(operator)
    response.assertStatus(200)
    assert.deepEqual(
      response.body().map((r: any) => r.result.amount),
      ['5.69', '1.79', '5.89', '3.43']
    )
    assert.isTrue(response.body().every((r: any) => r.version === 2 && Array.isArray(r.trace)))
  })

  test('facts that break the schema are refused with 422 naming each fact', async ({ client, assert }) => {
    const tenant = await piacenzaLike()
    const citizen = await makeUser(tenant, ['citizen'])
    const url = `${base(tenant.slug)}/${TARIFFA}/evaluate`

    const one = await client
      .post(url)
      .json({ at: '2021-10-01', facts: { isee: -5, colour: 'red' } })
      .loginAs(citizen)
    one.assertStatus(422)
    const facts = one.body().errors.map((e: any) => e.fact)
    assert.includeMembers(facts, ['residence', 'isee', 'colour'])
    assert.isTrue(one.body().errors.every((e: any) => typeof e.message === 'string' && e.message.length > 0))

    const many = await client
      .post(url)
      .json({
        at: '2021-10-01',
        facts: [{ residence: 'piacenza' }, { residence: 'mars' }, { residence: 'other', isee: 'tanto' }],
      })
      .loginAs(citizen)
    many.assertStatus(422)
    assert.deepEqual(
      many.body().errors.map((e: any) => [e.index, e.fact]),
      [
        [1, 'residence'],
        [2, 'isee'],
      ]
    )
  })

  test('a missing or malformed date, a date with no version and an unknown rule set are told apart', async ({
    client,
    assert,
  }) => {
    const tenant = await piacenzaLike()
    const citizen = await makeUser(tenant, ['citizen'])
    const url = `${base(tenant.slug)}/${TARIFFA}/evaluate`
    const facts = { residence: 'piacenza' }

    const missing = await client.post(url).json({ facts }).loginAs(citizen)
    missing.assertStatus(422)
    assert.equal(missing.body().errors[0].field, 'at')
    assert.include(missing.body().errors[0].message, 'AAAA-MM-GG')

    const malformed = await client.post(url).json({ at: '01/10/2021', facts }).loginAs(citizen)
    malformed.assertStatus(422)
    assert.equal(malformed.body().errors[0].field, 'at')

    const impossible = await client.post(url).json({ at: '2021-02-30', facts }).loginAs(citizen)
    impossible.assertStatus(422)

    const before = await client.post(url).json({ at: '2000-01-01', facts }).loginAs(citizen)
    before.assertStatus(422)
    assert.include(before.body().errors[0].message, 'Nessuna versione')

    const unknown = await client
      .post(`${base(tenant.slug)}/nessuna.regola/evaluate`)
      .json({ at: '2021-10-01', facts })
      .loginAs(citizen)
    unknown.assertStatus(404)
  })

  test('any member lists the rule sets; only staff read their content', async ({ client, assert }) => {
    const tenant = await piacenzaLike()
    const citizen = await makeUser(tenant, ['citizen'])
    const operator = await makeUser(tenant, ['operator'])

    const list = await client.get(base(tenant.slug)).loginAs(citizen)
    list.assertStatus(200)
    const tariffa = list.body().rulesets.find((r: any) => r.id === TARIFFA)
    assert.deepInclude(tariffa, { versions: 2, current_version: 2 })

    ;(await client.get(`${base(tenant.slug)}/${TARIFFA}`).loginAs(citizen)).assertStatus(403)
    ;(await client.get(`${base(tenant.slug)}/${TARIFFA}/tests`).loginAs(citizen)).assertStatus(403)

    const show = await client.get(`${base(tenant.slug)}/${TARIFFA}`).loginAs(operator)
    show.assertStatus(200)
    const [v1, v2] = show.body().ruleset.versions
    assert.deepInclude(v1, {
      version: 1,
      valid_from: '2018-09-01',
      valid_to: '2018-12-31',
      source: 'default',
      published_by: null,
    })
    assert.deepInclude(v2, { version: 2, valid_from: '2019-01-01', valid_to: null })
    assert.isObject(v2.body.tables)

    const tests = await client.get(`${base(tenant.slug)}/${TARIFFA}/tests`).loginAs(operator)
    tests.assertStatus(200)
    assert.isAbove(tests.body().cases.length, 20)
    assert.isTrue(tests.body().cases.every((c: any) => [1, 2].includes(c.version) && typeof c.name === 'string'))

    const run = await client
      .post(`${base(tenant.slug)}/${TARIFFA}/tests/run`)
      .json({})
      .loginAs(operator)
    run.assertStatus(200)
    assert.equal(run.body().failed, 0)
    assert.equal(run.body().passed, run.body().cases.length)

    const onlyV1 = await client
      .post(`${base(tenant.slug)}/${TARIFFA}/tests/run`)
      .json({ version: 1 })
      .loginAs(operator)
    onlyV1.assertStatus(200)
    assert.isTrue(onlyV1.body().cases.every((c: any) => c.version === 1))
  })
})

test.group('Rule sets over HTTP: publish', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a published table changes the next evaluation after its start, not before, with no restart', async ({
    client,
    assert,
  }) => {
    const tenant = await piacenzaLike()
    const designer = await makeUser(tenant, ['designer'])
    const citizen = await makeUser(tenant, ['citizen'])
    const evaluateAt = async (at: string) => {
      const r = await client
        .post(`${base(tenant.slug)}/${TARIFFA}/evaluate`)
        .json({ at, facts: { residence: 'piacenza', isee: 12000 } })
        .loginAs(citizen)
      r.assertStatus(200)
      return r.body()
    }
    assert.equal((await evaluateAt('2026-10-01')).result.amount, '5.69')

    const body = raisedIntera(await currentBody(client, tenant.slug, designer), '2026-09-01', '2026-10-01')
    const publish = await client
      .post(`${base(tenant.slug)}/${TARIFFA}/versions`)
      .json(body)
      .loginAs(designer)
    publish.assertStatus(201)
    assert.deepInclude(publish.body().version, {
      version: 3,
      valid_from: '2026-09-01',
      valid_to: null,
      source: 'api',
      published_by: designer.id,
    })

    const after = await evaluateAt('2026-10-01')
    assert.equal(after.version, 3)
    assert.equal(after.result.amount, '5.99')
    assert.include(after.trace.find((t: any) => t.kind === 'table').message, '5,99')

    const before = await evaluateAt('2026-08-31')
    assert.equal(before.version, 2)
    assert.equal(before.result.amount, '5.69')
    // The previous version is applied up to the day before the new one starts.
    assert.include(before.trace[0].message, 'al 2026-08-31')

    const past = await evaluateAt('2021-10-01')
    assert.equal(past.result.amount, '5.69')

    const show = await client.get(`${base(tenant.slug)}/${TARIFFA}`).loginAs(designer)
    const v2 = show.body().ruleset.versions.find((v: any) => v.version === 2)
    assert.deepInclude(v2, { valid_to: '2026-08-31', published_valid_to: null })
  })

  test('a version whose test case fails is refused with the failing cases, and nothing is stored', async ({
    client,
    assert,
  }) => {
    const tenant = await piacenzaLike()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const body = raisedIntera(await currentBody(client, tenant.slug, admin), '2026-09-01', '2026-10-01')
    // The designer forgot to update one expectation: the case still says 5.69.
    body.tests[0].expected.amount = '5.69'

    const publish = await client
      .post(`${base(tenant.slug)}/${TARIFFA}/versions`)
      .json(body)
      .loginAs(admin)
    publish.assertStatus(422)
    assert.equal(publish.body().failed, 1)
    assert.lengthOf(publish.body().cases, 1)
    assert.equal(publish.body().cases[0].name, body.tests[0].name)
    assert.include(publish.body().cases[0].diffs[0], 'amount')
    assert.include(publish.body().errors[0].message, 'Pubblicazione rifiutata')

    const stored = await RequestContext.withTenant(tenant.ref, () => RuleSetVersion.query().count('* as total'))
    assert.equal(Number(stored[0].$extras.total), 2)
    const evaluation = await client
      .post(`${base(tenant.slug)}/${TARIFFA}/evaluate`)
      .json({ at: '2026-10-01', facts: { residence: 'piacenza', isee: 12000 } })
      .loginAs(admin)
    assert.equal(evaluation.body().result.amount, '5.69')
  })

  test('a version without test cases, with a malformed period or breaking the engine checks is refused', async ({
    client,
    assert,
  }) => {
    const tenant = await piacenzaLike()
    const designer = await makeUser(tenant, ['designer'])
    const url = `${base(tenant.slug)}/${TARIFFA}/versions`
    const current = await currentBody(client, tenant.slug, designer)

    const noTests = raisedIntera(current, '2026-09-01', '2026-10-01')
    noTests.tests = []
    const r1 = await client.post(url).json(noTests).loginAs(designer)
    r1.assertStatus(422)
    assert.include(r1.body().errors[0].message, 'tests')

    const badDate = raisedIntera(current, '2026-09-31', '2026-10-01')
    const r2 = await client.post(url).json(badDate).loginAs(designer)
    r2.assertStatus(422)
    assert.equal(r2.body().errors[0].field, 'valid_from')

    const sameStart = raisedIntera(current, '2019-01-01', '2021-10-01')
    const r3 = await client.post(url).json(sameStart).loginAs(designer)
    r3.assertStatus(422)

    const noReference = raisedIntera(current, '2026-09-01', '2026-10-01')
    delete noReference.tables.refezione.reference
    const r4 = await client.post(url).json(noReference).loginAs(designer)
    r4.assertStatus(422)
    assert.isTrue(r4.body().problems.some((p: string) => p.includes('reference')))
  })

  test('publishing is audited with the user', async ({ client, assert }) => {
    const tenant = await piacenzaLike()
    const designer = await makeUser(tenant, ['designer'])
    const admin = await makeUser(tenant, ['tenant_admin'])
    const body = raisedIntera(await currentBody(client, tenant.slug, designer), '2026-09-01', '2026-10-01')
    ;(
      await client
        .post(`${base(tenant.slug)}/${TARIFFA}/versions`)
        .json(body)
        .loginAs(designer)
    ).assertStatus(201)

    const audit = await client.get(`/api/v1/t/${tenant.slug}/audit?entity=ruleset_versions`).loginAs(admin)
    audit.assertStatus(200)
    const entry = audit.body().entries.find((e: any) => e.action === 'create' && e.after?.version === 3)
    assert.exists(entry, 'the new version is in the audit log')
    assert.equal(entry.actorUserId, designer.id)
    assert.equal(entry.actorLabel, designer.email)
    assert.equal(entry.after.source, 'api')

    const rows = await RequestContext.withTenant(tenant.ref, () =>
      AuditLog.query().where('entity', 'ruleset_versions').where('actor_user_id', designer.id)
    )
    assert.lengthOf(rows, 1)
  })

  test('citizens and operators cannot publish', async ({ client, assert }) => {
    const tenant = await piacenzaLike()
    const designer = await makeUser(tenant, ['designer'])
    const body = raisedIntera(await currentBody(client, tenant.slug, designer), '2026-09-01', '2026-10-01')
    for (const role of ['citizen', 'operator', 'school_staff', 'kitchen'] as const) {
      const user = await makeUser(tenant, [role])
      const response = await client
        .post(`${base(tenant.slug)}/${TARIFFA}/versions`)
        .json(body)
        .loginAs(user)
      response.assertStatus(403)
    }
    const stored = await RequestContext.withTenant(tenant.ref, () => RuleSetVersion.query().where('version', 3))
    assert.lengthOf(stored, 0)
  })

  test('publishing to an unknown rule set answers 404', async ({ client }) => {
    const tenant = await piacenzaLike()
    const designer = await makeUser(tenant, ['designer'])
    const body = raisedIntera(await currentBody(client, tenant.slug, designer), '2026-09-01', '2026-10-01')
    const response = await client
      .post(`${base(tenant.slug)}/nessuna.regola/versions`)
      .json(body)
      .loginAs(designer)
    response.assertStatus(404)
  })
})
