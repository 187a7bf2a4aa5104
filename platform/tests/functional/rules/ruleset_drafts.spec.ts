/*
 * Response bodies and rule set documents are plain JSON read as the API returns them, so these
 * tests index them through `any` rather than restating every shape.
 */
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import RuleSetDraft from '#models/rule_set_draft'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'

const TARIFFA = 'refezione.tariffa'
const base = (slug: string) => `/api/v1/t/${slug}/rulesets/${TARIFFA}`
/** A start date years ahead, so that "a version in the future" holds whatever day the tests run. */
const FROM = '2031-09-01'
const AFTER = '2031-10-01'
const RESIDENT = { residence: 'piacenza', isee: 12000 }

async function tenantWithTariff() {
  const tenant = await makeTenant()
  await pluginService.enable(tenant, 'refezione')
  return {
    tenant,
    designer: await makeUser(tenant, ['designer']),
    admin: await makeUser(tenant, ['tenant_admin']),
  }
}

test.group('Rule sets: cases run at their own date', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a new version from a date with one changed cell leaves the copied earlier cases passing', async ({
    client,
    assert,
  }) => {
    const { tenant, admin } = await tenantWithTariff()
    const show = await client.get(base(tenant.slug)).loginAs(admin)
    const current = structuredClone(show.body().ruleset.versions.at(-1).body)
    const copied = current.tests.length
    assert.isAbove(copied, 20)
    delete current.version
    current.valid_from = FROM
    current.valid_to = null
    current.tables.refezione.cells.intera['1_figlio'] = '5.99'
    // Every case copied as it was (dated before FROM), plus one for the new period.
    current.tests.push({
      name: 'From September 2031 a resident only child with ISEE 12,000.00 pays 5.99 per meal.',
      at: AFTER,
      facts: RESIDENT,
      expected: { amount: '5.99', band: 'intera' },
    })
    const published = await client
      .post(`${base(tenant.slug)}/versions`)
      .json(current)
      .loginAs(admin)
    published.assertStatus(201)

    const run = await client
      .post(`${base(tenant.slug)}/tests/run`)
      .json({})
      .loginAs(admin)
    run.assertStatus(200)
    assert.equal(run.body().failed, 0)
    const added = run.body().cases.find((c: any) => c.at === AFTER)
    assert.deepInclude(added, { version: 3, declared_in: 3, ok: true })
    const copy = run.body().cases.find((c: any) => c.declared_in === 3 && c.at !== AFTER)
    assert.equal(copy.version, 2, 'a copied case dated before the new start runs against the version then in force')
    assert.isAbove(run.body().cases.length, copied * 2)

    const evaluateAt = async (at: string) =>
      (
        await client
          .post(`${base(tenant.slug)}/evaluate`)
          .json({ at, facts: RESIDENT })
          .loginAs(admin)
      ).body()
    assert.equal((await evaluateAt('2031-08-31')).result.amount, '5.69')
    assert.equal((await evaluateAt(AFTER)).result.amount, '5.99')
  })

  test('a case dated after a new start checks the new version, and fails with its trace when it differs', async ({
    client,
    assert,
  }) => {
    const { tenant, admin } = await tenantWithTariff()
    const show = await client.get(base(tenant.slug)).loginAs(admin)
    const current = structuredClone(show.body().ruleset.versions.at(-1).body)
    delete current.version
    current.valid_from = FROM
    current.tables.refezione.cells.intera['1_figlio'] = '5.99'
    current.tests.push({
      name: 'This case still expects the old amount.',
      at: AFTER,
      facts: RESIDENT,
      expected: { amount: '5.69' },
    })
    const refused = await client
      .post(`${base(tenant.slug)}/versions`)
      .json(current)
      .loginAs(admin)
    refused.assertStatus(422)
    assert.equal(refused.body().failed, 1)
    const failing = refused.body().cases[0]
    assert.equal(failing.at, AFTER)
    assert.deepEqual(failing.diffs, ['amount: atteso "5.69", ottenuto "5.99"'])
    assert.isTrue(failing.trace.some((t: any) => t.kind === 'table' && t.value === '5.99'))
  })
})

test.group("Rule sets: the designer's draft", (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a draft starts from the version in force, is saved, run, tried and published by a tenant admin', async ({
    client,
    assert,
  }) => {
    const { tenant, designer, admin } = await tenantWithTariff()
    const none = await client.get(`${base(tenant.slug)}/draft`).loginAs(designer)
    none.assertStatus(200)
    assert.isNull(none.body().draft)
    assert.isFalse(none.body().can_publish)

    const started = await client
      .post(`${base(tenant.slug)}/draft`)
      .json({ valid_from: FROM })
      .loginAs(designer)
    started.assertStatus(201)
    const draft = started.body().draft
    assert.deepInclude(draft, { based_on: 2, valid_from: FROM, replaces: null })
    assert.equal(draft.body.tables.refezione.cells.intera['1_figlio'], '5.69')
    assert.notProperty(draft.body, 'version')

    const again = await client
      .post(`${base(tenant.slug)}/draft`)
      .json({ valid_from: FROM })
      .loginAs(designer)
    again.assertStatus(409)

    const body = structuredClone(draft.body)
    body.tables.refezione.cells.intera['1_figlio'] = '5.99'
    body.tests.push({
      name: 'From September 2031 the cell says 5.89.',
      at: AFTER,
      facts: RESIDENT,
      expected: { amount: '5.89' },
    })
    ;(
      await client
        .put(`${base(tenant.slug)}/draft`)
        .json({ body })
        .loginAs(designer)
    ).assertStatus(200)

    const run = await client.post(`${base(tenant.slug)}/draft/run`).loginAs(designer)
    run.assertStatus(200)
    assert.equal(run.body().failed, 1)
    assert.equal(run.body().cases.find((c: any) => !c.ok).name, 'From September 2031 the cell says 5.89.')

    const tried = await client
      .post(`${base(tenant.slug)}/draft/evaluate`)
      .json({ at: AFTER, facts: RESIDENT })
      .loginAs(designer)
    tried.assertStatus(200)
    assert.equal(tried.body().result.amount, '5.99')
    assert.isAbove(tried.body().trace.length, 2)

    // The designer may not publish here; the tenant admin may, once every case passes.
    ;(await client.post(`${base(tenant.slug)}/draft/publish`).loginAs(designer)).assertStatus(403)
    const refused = await client.post(`${base(tenant.slug)}/draft/publish`).loginAs(admin)
    refused.assertStatus(422)
    assert.equal(refused.body().failed, 1)

    body.tests.at(-1).expected.amount = '5.99'
    ;(
      await client
        .put(`${base(tenant.slug)}/draft`)
        .json({ body })
        .loginAs(designer)
    ).assertStatus(200)
    const published = await client.post(`${base(tenant.slug)}/draft/publish`).loginAs(admin)
    published.assertStatus(201)
    assert.deepInclude(published.body().version, { version: 3, valid_from: FROM, published_by: admin.id })
    const after = await client.get(`${base(tenant.slug)}/draft`).loginAs(designer)
    assert.isNull(after.body().draft)

    const audit = await RequestContext.withTenant(tenant.ref, () =>
      AuditLog.query().whereIn('entity', ['ruleset_drafts', 'ruleset_versions']).orderBy('id', 'asc')
    )
    const seen = audit.map((a) => `${a.entity}:${a.action}:${a.actorUserId === designer.id ? 'designer' : 'admin'}`)
    assert.includeMembers(seen, [
      'ruleset_drafts:create:designer',
      'ruleset_drafts:update:designer',
      'ruleset_versions:create:admin',
      'ruleset_drafts:delete:admin',
    ])
  })

  test('a designer publishes where the tenant allows it', async ({ client, assert }) => {
    const { tenant, designer } = await tenantWithTariff()
    await RequestContext.asSystem('test', async () => {
      tenant.settings = { ...tenant.settings, designer: { designers_publish: true } }
      await tenant.save()
    })
    ;(
      await client
        .post(`${base(tenant.slug)}/draft`)
        .json({ valid_from: FROM })
        .loginAs(designer)
    ).assertStatus(201)
    const draft = await client.get(`${base(tenant.slug)}/draft`).loginAs(designer)
    assert.isTrue(draft.body().can_publish)
    ;(await client.post(`${base(tenant.slug)}/draft/publish`).loginAs(designer)).assertStatus(201)
  })

  test('a version not yet started is edited through a draft on its own day; one in force is not', async ({
    client,
    assert,
  }) => {
    const { tenant, admin } = await tenantWithTariff()
    ;(
      await client
        .post(`${base(tenant.slug)}/draft`)
        .json({ valid_from: FROM })
        .loginAs(admin)
    ).assertStatus(201)
    ;(await client.post(`${base(tenant.slug)}/draft/publish`).loginAs(admin)).assertStatus(201)

    const edit = await client
      .post(`${base(tenant.slug)}/draft`)
      .json({ valid_from: FROM, from_version: 3 })
      .loginAs(admin)
    edit.assertStatus(201)
    assert.deepInclude(edit.body().draft, { based_on: 3, replaces: 3 })
    const body = structuredClone(edit.body().draft.body)
    body.tables.refezione.cells.intera['1_figlio'] = '6.10'
    body.tests.push({
      name: 'From September 2031 the cell says 6.10.',
      at: AFTER,
      facts: RESIDENT,
      expected: { amount: '6.10' },
    })
    ;(
      await client
        .put(`${base(tenant.slug)}/draft`)
        .json({ body })
        .loginAs(admin)
    ).assertStatus(200)
    const published = await client.post(`${base(tenant.slug)}/draft/publish`).loginAs(admin)
    published.assertStatus(201)
    assert.equal(published.body().version.version, 4)
    const evaluation = await client
      .post(`${base(tenant.slug)}/evaluate`)
      .json({ at: AFTER, facts: RESIDENT })
      .loginAs(admin)
    assert.deepInclude(evaluation.body(), { version: 4 })
    assert.equal(evaluation.body().result.amount, '6.10')

    const past = await client
      .post(`${base(tenant.slug)}/draft`)
      .json({ valid_from: '2019-01-01' })
      .loginAs(admin)
    past.assertStatus(422)
    assert.include(past.body().errors[0].message, 'passato')
    const stored = await RequestContext.withTenant(tenant.ref, () => RuleSetDraft.query())
    assert.lengthOf(stored, 0)
  })

  test("formulas are checked by the engine's own grammar; operators and citizens have no drafts", async ({
    client,
    assert,
  }) => {
    const { tenant, designer } = await tenantWithTariff()
    const ok = await client
      .post(`${base(tenant.slug)}/formulas/check`)
      .json({ expression: 'isee * 0.0179' })
      .loginAs(designer)
    assert.deepEqual(ok.body(), { ok: true })
    const bad = await client
      .post(`${base(tenant.slug)}/formulas/check`)
      .json({ expression: 'isee * (0.0179' })
      .loginAs(designer)
    assert.isFalse(bad.body().ok)
    assert.isString(bad.body().message)
    const odd = await client
      .post(`${base(tenant.slug)}/formulas/check`)
      .json({ expression: 'isee ; 2' })
      .loginAs(designer)
    assert.include(odd.body().message, '";"')

    for (const role of ['operator', 'citizen'] as const) {
      const user = await makeUser(tenant, [role])
      ;(await client.get(`${base(tenant.slug)}/draft`).loginAs(user)).assertStatus(403)
      ;(
        await client
          .post(`${base(tenant.slug)}/draft`)
          .json({ valid_from: FROM })
          .loginAs(user)
      ).assertStatus(403)
    }
  })
})
