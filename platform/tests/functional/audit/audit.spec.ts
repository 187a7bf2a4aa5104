import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { makeTenant, makeUser } from '#tests/helpers/world'

test.group('Audit log', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a write through the API records who, when, tenant, entity and before/after', async ({ client, assert }) => {
    const tenant = await makeTenant({ name: 'Comune Prima' })
    const admin = await makeUser(tenant, ['tenant_admin'])

    const update = await client
      .patch(`/api/v1/t/${tenant.slug}`)
      .json({ name: 'Comune Dopo', settings: { pec: 'protocollo@comune.example' } })
      .loginAs(admin)
    update.assertStatus(200)

    const audit = await client.get(`/api/v1/t/${tenant.slug}/audit?entity=tenants`).loginAs(admin)
    audit.assertStatus(200)
    const entry = audit.body().entries.find((e: any) => e.action === 'update')
    assert.exists(entry, 'the update is in the audit log')
    assert.equal(entry.actorUserId, admin.id)
    assert.equal(entry.actorLabel, admin.email)
    assert.equal(entry.tenantId, tenant.id)
    assert.equal(entry.entityId, String(tenant.id))
    assert.equal(entry.before.name, 'Comune Prima')
    assert.equal(entry.after.name, 'Comune Dopo')
    assert.deepEqual(entry.after.settings, { pec: 'protocollo@comune.example' })
    assert.isString(entry.createdAt)
  })

  test('enabling a plugin is audited with its user', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const enable = await client.post(`/api/v1/t/${tenant.slug}/plugins/refezione/enable`).loginAs(admin)
    enable.assertStatus(200)
    const audit = await client.get(`/api/v1/t/${tenant.slug}/audit?entity=tenant_plugins`).loginAs(admin)
    const entries = audit.body().entries
    assert.isAbove(entries.length, 0)
    assert.isTrue(entries.every((e: any) => e.actorUserId === admin.id))
    assert.equal(entries.at(-1).after.pluginId, 'refezione')
  })

  test('only tenant admins read the audit log', async ({ client }) => {
    const tenant = await makeTenant()
    for (const role of ['citizen', 'operator', 'designer', 'kitchen', 'school_staff'] as const) {
      const user = await makeUser(tenant, [role])
      const response = await client.get(`/api/v1/t/${tenant.slug}/audit`).loginAs(user)
      response.assertStatus(403)
    }
  })

  test('passwords never reach the audit log', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const response = await client.get(`/api/v1/t/${tenant.slug}/audit?entity=users`).loginAs(admin)
    response.assertStatus(200)
    assert.notInclude(JSON.stringify(response.body()), 'secret-password')
    assert.notInclude(JSON.stringify(response.body()), '$scrypt')
  })
})
