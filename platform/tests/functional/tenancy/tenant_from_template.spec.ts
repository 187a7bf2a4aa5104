/*
 * Response bodies are plain JSON read as the API returns them, so these tests index them through
 * `any` rather than restating every shape.
 */
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Membership from '#models/membership'
import Tenant from '#models/tenant'
import Submission from '#models/submission'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'

async function configuredSource() {
  const source = await makeTenant({ name: 'Comune di Partenza' })
  await pluginService.enable(source, 'refezione')
  await RequestContext.asSystem('test', async () => {
    source.settings = {
      identity: { logo_url: '/static/logo.svg' },
      protocol: { driver: 'docarea', url: 'http://127.0.0.1:1/protocollo' },
      designer: { designers_publish: true },
      enrolment: { 'refezione.iscrizione': { opens: '2026-01-01', closes: '2031-06-30' } },
    }
    await source.save()
  })
  return source
}

test.group("Platform: a tenant from another tenant's configuration", (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('services, forms, rule sets with their versions and settings come along; people and accounts do not', async ({
    client,
    assert,
  }) => {
    const source = await configuredSource()
    const admin = await makeUser(source, ['tenant_admin'])
    await makeUser(source, ['citizen'])
    const platform = await makeUser(null, [], { isPlatformAdmin: true })
    // A version of the tariff the source published from a future day comes along with its date.
    const tariffa = `/api/v1/t/${source.slug}/rulesets/refezione.tariffa`
    ;(await client.post(`${tariffa}/draft`).json({ valid_from: '2031-09-01' }).loginAs(admin)).assertStatus(201)
    const draft = (await client.get(`${tariffa}/draft`).loginAs(admin)).body().draft
    draft.body.tables.refezione.cells.intera['1_figlio'] = '5.99'
    draft.body.tests.push({
      name: 'From September 2031 the cell says 5.99.',
      at: '2031-10-01',
      facts: { residence: 'piacenza', isee: 12000 },
      expected: { amount: '5.99' },
    })
    ;(await client.put(`${tariffa}/draft`).json({ body: draft.body }).loginAs(admin)).assertStatus(200)
    ;(await client.post(`${tariffa}/draft/publish`).loginAs(admin)).assertStatus(201)

    const created = await client
      .post('/api/v1/platform/tenants')
      .json({ slug: 'comune-copia', name: 'Comune Copia', fiscal_code: '00000000001', from: source.slug })
      .loginAs(platform)
    created.assertStatus(201)
    assert.deepEqual(created.body().plugins, ['refezione'])
    assert.include(created.body().forms, 'refezione.iscrizione')
    assert.include(created.body().rulesets, 'refezione.tariffa')
    assert.deepEqual(created.body().settings, ['designer', 'enrolment'])

    const copy = (await Tenant.findBy('slug', 'comune-copia'))!
    assert.notProperty(copy.settings, 'protocol')
    assert.notProperty(copy.settings, 'identity')
    assert.deepEqual(await pluginService.enabledIds(copy), ['refezione'])
    const [members, submissions] = await RequestContext.withTenant(copy.ref, async () => [
      await Membership.query(),
      await Submission.query(),
    ])
    assert.lengthOf(members, 0)
    assert.lengthOf(submissions, 0)

    // It serves its own form and computes with the copied versions, dates included.
    const citizen = await makeUser(copy, ['citizen'])
    const form = await client.get('/api/v1/t/comune-copia/forms/refezione.iscrizione').loginAs(citizen)
    form.assertStatus(200)
    const evaluateAt = async (at: string) =>
      (
        await client
          .post('/api/v1/t/comune-copia/rulesets/refezione.tariffa/evaluate')
          .json({ at, facts: { residence: 'piacenza', isee: 12000 } })
          .loginAs(citizen)
      ).body().result.amount
    assert.equal(await evaluateAt('2031-08-31'), '5.69')
    assert.equal(await evaluateAt('2031-10-01'), '5.99')
    // The source's users are not members of the copy.
    ;(await client.get('/api/v1/t/comune-copia/forms').loginAs(admin)).assertStatus(403)
  })

  test('only a platform admin creates one; a taken address or an unknown source is refused', async ({
    client,
    assert,
  }) => {
    const source = await configuredSource()
    const admin = await makeUser(source, ['tenant_admin'])
    const platform = await makeUser(null, [], { isPlatformAdmin: true })
    const body = { slug: 'comune-nuovo', name: 'Comune Nuovo', fiscal_code: '00000000002', from: source.slug }
    ;(await client.post('/api/v1/platform/tenants').json(body).loginAs(admin)).assertStatus(403)
    const taken = await client
      .post('/api/v1/platform/tenants')
      .json({ ...body, slug: source.slug })
      .loginAs(platform)
    taken.assertStatus(409)
    assert.equal(taken.body().errors[0].path, '/slug')
    const unknown = await client
      .post('/api/v1/platform/tenants')
      .json({ ...body, from: 'nessuno' })
      .loginAs(platform)
    unknown.assertStatus(422)
    const badSlug = await client
      .post('/api/v1/platform/tenants')
      .json({ ...body, slug: 'Comune Nuovo!' })
      .loginAs(platform)
    badSlug.assertStatus(422)
    assert.isNull(await Tenant.findBy('slug', 'comune-nuovo'))
  })
})
