import { DateTime } from 'luxon'
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

test.group('Audit log: filters and pages', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('who, what, which record and when narrow the trail; pages follow one another without overlap', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const other = await makeUser(tenant, ['tenant_admin'])
    const url = `/api/v1/t/${tenant.slug}`
    for (let i = 0; i < 3; i++) {
      ;(
        await client
          .patch(url)
          .json({ name: `Comune ${i}` })
          .loginAs(admin)
      ).assertStatus(200)
    }
    ;(await client.patch(url).json({ name: 'Comune altro' }).loginAs(other)).assertStatus(200)

    const byOther = await client.get(`${url}/audit`).qs({ actor: other.email.toUpperCase() }).loginAs(admin)
    byOther.assertStatus(200)
    assert.isAbove(byOther.body().entries.length, 0)
    assert.isTrue(byOther.body().entries.every((e: any) => e.actorUserId === other.id))
    const byNumber = await client
      .get(`${url}/audit`)
      .qs({ actor: String(admin.id), entity: 'tenants' })
      .loginAs(admin)
    assert.lengthOf(byNumber.body().entries, 3)

    const record = await client
      .get(`${url}/audit`)
      .qs({ entity: 'tenants', entity_id: String(tenant.id), action: 'update' })
      .loginAs(admin)
    assert.lengthOf(record.body().entries, 4)
    assert.deepEqual(
      record.body().entries.map((e: any) => e.after.name),
      ['Comune altro', 'Comune 2', 'Comune 1', 'Comune 0']
    )
    const none = await client.get(`${url}/audit`).qs({ entity: 'tenants', entity_id: '999999' }).loginAs(admin)
    assert.lengthOf(none.body().entries, 0)

    // Days are the ente's (Europe/Rome): in the last hour or two of a UTC day, Rome is already on the next.
    const today = DateTime.now().setZone('Europe/Rome').toISODate()!
    const tomorrow = DateTime.now().setZone('Europe/Rome').plus({ days: 2 }).toISODate()!
    const todays = await client
      .get(`${url}/audit`)
      .qs({ entity: 'tenants', from: '2020-01-01', to: today })
      .loginAs(admin)
    assert.isAtLeast(todays.body().entries.length, 4)
    const later = await client.get(`${url}/audit`).qs({ entity: 'tenants', from: tomorrow }).loginAs(admin)
    assert.lengthOf(later.body().entries, 0)

    // Keyset pages: 60 writes make two pages of 50 and 10+, in order, without repeats.
    for (let i = 0; i < 60; i++) {
      await client
        .patch(url)
        .json({ name: `Comune p${i}` })
        .loginAs(admin)
    }
    const first = await client.get(`${url}/audit`).qs({ entity: 'tenants' }).loginAs(admin)
    assert.lengthOf(first.body().entries, 50)
    assert.isString(first.body().next)
    const second = await client.get(`${url}/audit`).qs({ entity: 'tenants', after: first.body().next }).loginAs(admin)
    const ids = [...first.body().entries, ...second.body().entries].map((e: any) => e.id)
    assert.equal(new Set(ids).size, ids.length)
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a)
    )
    assert.isAtLeast(ids.length, 64)
  })

  test('a malformed filter is refused at its parameter, in the reader’s language', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const response = await client
      .get(`/api/v1/t/${tenant.slug}/audit`)
      .qs({ from: '2026-13-01', entity: 'DROP TABLE', after: 'x', entity_id: 'a b', actor: 'a'.repeat(300) })
      .header('accept-language', 'en')
      .loginAs(admin)
    response.assertStatus(422)
    const paths = response.body().errors.map((e: any) => e.path)
    assert.sameMembers(paths, ['/from', '/entity', '/after', '/entity_id', '/actor'])
    assert.match(response.body().errors.find((e: any) => e.path === '/from').message, /YYYY-MM-DD/)
    const range = await client
      .get(`/api/v1/t/${tenant.slug}/audit`)
      .qs({ from: '2026-03-02', to: '2026-03-01' })
      .loginAs(admin)
    range.assertStatus(422)
    assert.equal(range.body().errors[0].rule, 'query:range')
  })
})
