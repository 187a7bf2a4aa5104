import { test } from '@japa/runner'
import { fileURLToPath } from 'node:url'
import testUtils from '@adonisjs/core/services/test_utils'
import { PluginRegistry, pluginRegistry, setPluginRegistry } from '#plugins/registry'
import { pluginService } from '#services/tenants/plugin_service'
import { makeTenant, makeUser } from '#tests/helpers/world'

type Calls = Array<{ hook: string; tenant: string }>
const calls = () => ((globalThis as { __sampleHookCalls?: Calls }).__sampleHookCalls ??= [])

test.group('Plugin lifecycle', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(async () => {
    const real = pluginRegistry()
    const fixtures = fileURLToPath(new URL('../../fixtures/sample_plugins', import.meta.url))
    setPluginRegistry(await new PluginRegistry(fixtures).discover())
    calls().length = 0
    return () => setPluginRegistry(real)
  })

  test('install runs once, enable every time, disable when disabled', async ({ assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    await pluginService.enable(tenant, 'sample')
    await pluginService.disable(tenant, 'sample')
    await pluginService.enable(tenant, 'sample')
    assert.deepEqual(
      calls().map((c) => c.hook),
      ['install', 'enable', 'enable', 'disable', 'enable']
    )
    assert.isTrue(calls().every((c) => c.tenant === tenant.slug))
  })

  test('only a tenant admin enables a plugin', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const operator = await makeUser(tenant, ['operator', 'designer'])
    const refused = await client.post(`/api/v1/t/${tenant.slug}/plugins/sample/enable`).loginAs(operator)
    refused.assertStatus(403)
    assert.deepEqual(await pluginService.enabledIds(tenant), [])

    const admin = await makeUser(tenant, ['tenant_admin'])
    const unknown = await client.post(`/api/v1/t/${tenant.slug}/plugins/nope/enable`).loginAs(admin)
    unknown.assertStatus(404)
  })
})
