/*
 * Contract tests every plugin runs from its own test suite:
 *   import { pluginContractTests } from '@sportello/platform/sdk/testing'
 *   pluginContractTests(plugin)
 */
import { readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import type { PluginManifest, PluginRoute } from './types.js'
import { settingsAjv, validateManifest } from '#plugins/manifest_validator'
import { PluginSchema } from '#plugins/plugin_schema'
import { pluginRegistry } from '#plugins/registry'
import { loadDefaultForms, loadDefaultRuleSets } from '#services/default_content'
import { pluginService } from '#services/plugin_service'
import { RequestContext } from '#services/request_context'
import { ROLES } from '#services/roles'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import Form from '#models/form'

/** The contract every form passes (forms/README.md), for the tests of forms and of plugins. */
export { formContractTests } from './form_contract_tests.js'

/** The routes a manifest declares, as a recording router sees them. */
function declaredRoutes(plugin: PluginManifest) {
  const routes: Array<{ method: string; path: string; route: PluginRoute<unknown, unknown> }> = []
  const record = (method: string) => (path: string, route: PluginRoute<any, any>) =>
    void routes.push({ method, path, route })
  plugin.routes?.({
    get: record('GET'),
    post: record('POST'),
    put: record('PUT'),
    patch: record('PATCH'),
    delete: record('DELETE'),
  })
  return routes
}

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

    if (plugin.migrations) {
      test('its migrations folder exists, and each migration, up and down, touches only tables with its prefix', async ({
        assert,
      }) => {
        const folder = join(pluginRegistry().getOrFail(plugin.id).folder, plugin.migrations!)
        const files = (await readdir(folder)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort()
        assert.isAbove(files.length, 0, `no migration in ${folder}`)
        for (const file of files) {
          const { default: Migration } = await import(pathToFileURL(join(folder, file)).href)
          assert.isTrue(Migration.prototype instanceof PluginSchema, `${file} must extend PluginSchema`)
          // Named as Lucid names it: its folder relative to the application root, then the file.
          const name = `${relative(app.makePath(), folder).split(sep).join('/')}/${file.replace(/\.(ts|js)$/, '')}`
          await new Migration(db.connection(), name, true).execUp()
          await new Migration(db.connection(), name, true).execDown()
        }
      })
    }

    if (plugin.routes) {
      test('every route declares the roles that may call it', ({ assert }) => {
        const routes = declaredRoutes(plugin)
        assert.isAbove(routes.length, 0)
        for (const { method, path, route } of routes) {
          assert.isAbove(route.roles.length, 0, `${method} ${path} declares no role`)
          for (const role of route.roles) assert.include(ROLES, role, `${method} ${path}: unknown role ${role}`)
        }
      })
    }

    if (plugin.settings) {
      test('its settings schema compiles and its defaults satisfy it', ({ assert }) => {
        const validate = settingsAjv.compile(plugin.settings!.schema)
        assert.isTrue(validate(structuredClone(plugin.settings!.defaults)), JSON.stringify(validate.errors))
      })
    }

    if (plugin.reports?.length) {
      test('its report ids are unique and every column has a known type', ({ assert }) => {
        const ids = plugin.reports!.map((r) => r.id)
        assert.lengthOf(new Set(ids), ids.length, `duplicate report ids: ${ids.join(', ')}`)
        for (const report of plugin.reports!) {
          for (const column of report.columns) {
            assert.include(['text', 'integer', 'decimal', 'money', 'date', 'boolean'], column.type)
          }
        }
      })
    }
  })
}
