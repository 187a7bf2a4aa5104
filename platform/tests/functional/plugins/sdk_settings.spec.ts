import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Tenant from '#models/tenant'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'

/** The fixture plugin's settings block: { greeting, reminder_days, notify: { enabled, cc } } with defaults. */
test.group('SDK: plugin settings', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  async function world() {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    const admin = await makeUser(tenant, ['tenant_admin'])
    return { tenant, admin, base: `/api/v1/t/${tenant.slug}` }
  }

  test('reads give the block with the defaults applied, before and after a partial write', async ({
    client,
    assert,
  }) => {
    const { admin, base } = await world()
    const before = await client.get(`${base}/plugins/sample/settings`).loginAs(admin)
    before.assertStatus(200)
    assert.deepEqual(before.body().settings, { greeting: 'Buongiorno', reminder_days: 7, notify: { enabled: false } })

    const written = await client
      .patch(base)
      .json({ settings: { plugins: { sample: { greeting: 'Salve', notify: { cc: 'uffici@comune.example' } } } } })
      .loginAs(admin)
    written.assertStatus(200)
    const after = await client.get(`${base}/plugins/sample/settings`).loginAs(admin)
    assert.deepEqual(after.body().settings, {
      greeting: 'Salve',
      reminder_days: 7,
      notify: { enabled: false, cc: 'uffici@comune.example' },
    })
    // The plugin's own code reads the same block through its context.
    const ping = await client.get(`${base}/sample/ping`).loginAs(admin)
    assert.equal(ping.body().greeting, 'Salve')
  })

  test('{title}')
    .with([
      {
        title: 'a write breaking the schema is refused with 422 naming the field',
        block: { reminder_days: 90 },
        field: 'settings.plugins.sample.reminder_days',
      },
      {
        title: 'an unknown field inside the block is named',
        block: { notify: { sms: true } },
        field: 'settings.plugins.sample.notify.sms',
      },
      {
        title: 'a wrong type is named',
        block: { greeting: 42 },
        field: 'settings.plugins.sample.greeting',
      },
    ])
    .run(async ({ client, assert }, row) => {
      const { tenant, admin, base } = await world()
      const response = await client
        .patch(base)
        .json({ settings: { plugins: { sample: row.block } } })
        .loginAs(admin)
      response.assertStatus(422)
      const error = response.body().errors[0]
      assert.equal(error.path ?? error.field, row.field)
      assert.include(error.message, row.field.replace('settings.plugins.', ''))
      const stored = await Tenant.findOrFail(tenant.id)
      assert.notProperty(stored.settings, 'plugins')
    })

  test('a block for a plugin that is not installed, or has no settings, is refused', async ({ client, assert }) => {
    const { admin, base } = await world()
    const response = await client
      .patch(base)
      .json({ settings: { plugins: { ersu: { anything: 1 } } } })
      .loginAs(admin)
    response.assertStatus(422)
    const error = response.body().errors[0]
    assert.equal(error.path ?? error.field, 'settings.plugins.ersu')
  })

  test('a bad stored block answers 409 naming the field, on the settings read and on the plugin route, never a 500', async ({
    client,
    assert,
  }) => {
    const { tenant, admin, base } = await world()
    // Written around the API (an older schema, a manual edit): the read must still say what is wrong.
    await RequestContext.asSystem('test', async () => {
      tenant.settings = { plugins: { sample: { reminder_days: 'sette' } } }
      await tenant.save()
    })
    const read = await client.get(`${base}/plugins/sample/settings`).header('accept-language', 'en').loginAs(admin)
    read.assertStatus(409)
    assert.equal(read.body().errors[0].path, 'settings.plugins.sample.reminder_days')
    assert.match(read.body().errors[0].message, /tenant administrator must correct/)

    const route = await client.get(`${base}/sample/ping`).loginAs(admin)
    route.assertStatus(409)
    assert.equal(route.body().errors[0].path, 'settings.plugins.sample.reminder_days')
    assert.match(route.body().errors[0].message, /amministratore dell'ente/)

    // Setting the block back to null restores the defaults.
    const reset = await client
      .patch(base)
      .json({ settings: { plugins: { sample: null } } })
      .loginAs(admin)
    reset.assertStatus(200)
    const ok = await client.get(`${base}/sample/ping`).loginAs(admin)
    ok.assertStatus(200)
  })
})
