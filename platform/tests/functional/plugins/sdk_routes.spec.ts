import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import AuditLog from '#models/audit_log'
import { makeTenant, makeUser } from '#tests/helpers/world'

/**
 * Plugin routes from the outside, through the fixture plugin `sample` (tests/fixtures/sample_plugins):
 * mounted under /api/v1/t/:tenant/sample/, answering only where it is enabled, with the roles,
 * validators and error shape its manifest declares.
 */
test.group('SDK: plugin routes', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a plugin route answers 404 where the plugin is disabled and 200 where it is enabled', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    const citizen = await makeUser(tenant, ['citizen'])
    const before = await client.get(`/api/v1/t/${tenant.slug}/sample/ping`).loginAs(citizen)
    before.assertStatus(404)
    assert.match(before.body().errors[0].message, /sample/)

    await pluginService.enable(tenant, 'sample')
    const enabled = await client.get(`/api/v1/t/${tenant.slug}/sample/ping`).loginAs(citizen)
    enabled.assertStatus(200)
    assert.deepEqual(enabled.body(), { pong: tenant.slug, greeting: 'Buongiorno' })

    await pluginService.disable(tenant, 'sample')
    const after = await client.get(`/api/v1/t/${tenant.slug}/sample/ping`).loginAs(citizen)
    after.assertStatus(404)
  })

  test('a member without one of the route roles gets 403, and nothing is written', async ({ client, assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    const citizen = await makeUser(tenant, ['citizen', 'kitchen'])
    const response = await client
      .post(`/api/v1/t/${tenant.slug}/sample/notes`)
      .json({ title: 'Gita al museo' })
      .loginAs(citizen)
    response.assertStatus(403)
    assert.equal(response.body().errors[0].rule, 'role')
    const notes = await RequestContext.withTenant(tenant.ref, () => AuditLog.query().where('entity', 'sample_notes'))
    assert.lengthOf(notes, 0)
  })

  test('a bad body is refused with 422, each error naming its field as a JSON Pointer', async ({ client, assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    const operator = await makeUser(tenant, ['operator'])
    const response = await client
      .post(`/api/v1/t/${tenant.slug}/sample/notes`)
      .header('accept-language', 'en')
      .json({ title: 'ab', amount: '12,5', tags: ['ok', 'x'.repeat(30)] })
      .loginAs(operator)
    response.assertStatus(422)
    const errors = response.body().errors as Array<{ path: string; rule: string; message: string }>
    assert.sameMembers(
      errors.map((e) => e.path),
      ['/title', '/amount', '/tags/1']
    )
    assert.equal(errors.find((e) => e.path === '/title')!.rule, 'minLength')
    assert.isTrue(errors.every((e) => typeof e.message === 'string' && e.message.length > 0))

    const italian = await client.post(`/api/v1/t/${tenant.slug}/sample/notes`).json({}).loginAs(operator)
    italian.assertStatus(422)
    assert.deepEqual(italian.body().errors, [
      { path: '/title', rule: 'required', message: 'Il campo title è obbligatorio' },
    ])
  })

  test('a valid body reaches the handler: 201 through reply(), the row audited with its user', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    const operator = await makeUser(tenant, ['operator'])
    const created = await client
      .post(`/api/v1/t/${tenant.slug}/sample/notes`)
      .json({ title: '  Gita al museo ', pinned: true, amount: '12.50', day: '2026-03-01' })
      .loginAs(operator)
    created.assertStatus(201)
    assert.equal(created.body().note.title, 'Gita al museo')

    const listed = await client.get(`/api/v1/t/${tenant.slug}/sample/notes?pinned=true`).loginAs(operator)
    listed.assertStatus(200)
    assert.deepEqual(
      listed.body().notes.map((n: { title: string }) => n.title),
      ['Gita al museo']
    )
    const audit = await RequestContext.withTenant(tenant.ref, () =>
      AuditLog.query().where('entity', 'sample_notes').where('action', 'create').firstOrFail()
    )
    assert.equal(audit.actorUserId, operator.id)
  })

  test('a refusal thrown by the handler keeps its status and error shape; a bad query string is a 422', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    const admin = await makeUser(tenant, ['tenant_admin'])
    const conflict = await client
      .post(`/api/v1/t/${tenant.slug}/sample/notes`)
      .json({ title: 'conflict' })
      .loginAs(admin)
    conflict.assertStatus(409)
    assert.deepEqual(conflict.body(), { errors: [{ path: '/title', rule: 'unique', message: 'taken' }] })

    const badQuery = await client.get(`/api/v1/t/${tenant.slug}/sample/notes?pinned=maybe`).loginAs(admin)
    badQuery.assertStatus(422)
    assert.equal(badQuery.body().errors[0].path, '/pinned')
  })

  test('a plugin route is not reachable from another tenant, even by a member of the enabled one', async ({
    client,
  }) => {
    const enabled = await makeTenant()
    const other = await makeTenant()
    await pluginService.enable(enabled, 'sample')
    const operator = await makeUser(enabled, ['operator'])
    const response = await client.get(`/api/v1/t/${other.slug}/sample/notes`).loginAs(operator)
    response.assertStatus(403)
  })
})

test.group('SDK: plugin routes answer files', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('replyFile sends the bytes as an attachment with its type and a name any browser reads', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    const operator = await makeUser(tenant, ['operator'])
    const response = await client.get(`/api/v1/t/${tenant.slug}/sample/notes.csv`).loginAs(operator)
    response.assertStatus(200)
    assert.match(String(response.header('content-type')), /^text\/csv/)
    assert.match(String(response.header('content-disposition')), /^attachment;.*filename\*=UTF-8''note%20%C3%A8\.csv/)
    assert.equal(response.text(), 'titolo;giorno\r\nGita;2026-12-01\r\n')
  })
})
