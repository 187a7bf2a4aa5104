/*
 * Contract tests every plugin runs from its own test suite:
 *   import { pluginContractTests } from '@sportello/platform/sdk/testing'
 *   pluginContractTests(plugin)
 */
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { PluginManifest } from './index.js'
import { validateManifest } from '#plugins/manifest_validator'
import { pluginRegistry } from '#plugins/registry'
import { loadDefaultForms, loadDefaultRuleSets } from '#services/default_content'
import { pluginService } from '#services/plugin_service'
import { RequestContext } from '#services/request_context'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import Form from '#models/form'

export function pluginContractTests(plugin: PluginManifest) {
  test.group(`Plugin contract: ${plugin.id}`, (group) => {
    group.each.setup(() => testUtils.db().withGlobalTransaction())

    test('its manifest is valid and its default content exists', async () => {
      const [forms, rulesets] = await Promise.all([loadDefaultForms(), loadDefaultRuleSets()])
      validateManifest(plugin.id, plugin, { forms: new Set(forms.keys()), rulesets: new Set(rulesets.keys()) })
    })

    test('the registry discovered it', ({ assert }) => {
      assert.strictEqual(pluginRegistry().get(plugin.id)?.manifest.id, plugin.id)
    })

    test('enabling it for a tenant copies its forms and rule sets once, however often it runs', async ({ assert }) => {
      const tenant = await RequestContext.asSystem('contract-test', () =>
        Tenant.create({
          slug: `contract-${plugin.id}`,
          name: `Contract ${plugin.id}`,
          fiscalCode: '00000000000',
          settings: {},
        })
      )
      const first = await pluginService.enable(tenant, plugin.id)
      const second = await pluginService.enable(tenant, plugin.id)
      assert.sameMembers(first.forms, plugin.forms)
      assert.sameMembers(first.rulesets, plugin.rulesets)
      assert.deepEqual(second, { forms: [], rulesets: [] })

      await RequestContext.withTenant(tenant.ref, async () => {
        assert.sameMembers(
          (await Form.query()).map((f) => f.key),
          plugin.forms
        )
        assert.sameMembers(
          (await RuleSet.query()).map((r) => r.key),
          plugin.rulesets
        )
        const defaults = await loadDefaultRuleSets()
        const expectedVersions = plugin.rulesets.reduce(
          (n, id) => n + (defaults.get(id)!.json.versions as unknown[]).length,
          0
        )
        assert.lengthOf(await RuleSetVersion.query(), expectedVersions)
        const row = await TenantPlugin.query().where('plugin_id', plugin.id).firstOrFail()
        assert.isTrue(row.enabled)
      })

      await pluginService.disable(tenant, plugin.id)
      assert.notInclude(await pluginService.enabledIds(tenant), plugin.id)
    })
  })
}
