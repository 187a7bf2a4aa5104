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
import type { EnrolmentRecord, NewEnrolment, PluginContext, PluginManifest, PluginRoute } from './types.js'
import { settingsAjv, validateManifest } from '#plugins/manifest_validator'
import { PluginSchema } from '#plugins/plugin_schema'
import { pluginRegistry } from '#plugins/registry'
import { pluginContext } from '#plugins/plugin_context'
import { loadDefaultForms, loadDefaultRuleSets } from '#services/content/default_content'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { ROLES, type Role } from '#services/tenants/roles'
import Tenant from '#models/tenant'
import User from '#models/user'
import Membership from '#models/membership'
import TenantPlugin from '#models/tenant_plugin'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import Form from '#models/form'
import Enrolment from '#models/enrolment'
import Submission from '#models/submission'
import { findCurrentForm } from '#services/definitions/form_service'
import { ensureSchoolCatalog, type SchoolSeed } from '#services/tenants/school_catalog_service'
import { DateTime } from 'luxon'

/** The contract every form passes (forms/README.md), for the tests of forms and of plugins. */
export { formContractTests } from './form_contract_tests.js'

/**
 * A plugin's browser tests (`plugins/<id>/tests/browser/*.spec.ts`, run by the browser suite with
 * BROWSER_TESTS=1 after `npm run build:web`): Debian's chromium against the test server, the staff
 * login, the axe check, screenshots. Loaded on demand, so other tests never load the browser driver.
 */
export const browserKit = () => import('../tests/browser/portal.js')

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

/*
 * A plugin's own functional tests: tenants with the plugin enabled, members with roles, the plugin's
 * context, its jobs run by hand. Rows are made in the test's transaction (`pluginTestKit.isolate()`
 * in `group.each.setup`), so nothing outlives the test.
 */
let kitCounter = 0

export const pluginTestKit = {
  /** The test's global transaction, rolled back after it (use in `group.each.setup`). */
  isolate: () => testUtils.db().withGlobalTransaction(),

  /** A new tenant with these plugins enabled. */
  async tenant(plugins: string[], name = 'Comune di Prova') {
    kitCounter++
    const tenant = await RequestContext.asSystem('plugin-test', () =>
      Tenant.create({
        slug: `kit-${process.pid}-${kitCounter}`,
        name: `${name} ${kitCounter}`,
        fiscalCode: '00000000000',
        settings: {},
      })
    )
    for (const id of plugins) await pluginService.enable(tenant, id)
    return tenant
  },

  /** A user who is a member of the tenant with these roles (pass it to `loginAs`). */
  async member(tenant: Tenant, roles: Role[]) {
    kitCounter++
    return RequestContext.asSystem('plugin-test', async () => {
      const user = await User.create({
        email: `kit${kitCounter}-${process.pid}@test.example`,
        fullName: `Utente ${kitCounter}`,
        fiscalCode: null,
        password: 'secret-password',
        isPlatformAdmin: false,
        locale: 'it',
      })
      await RequestContext.withTenant(tenant.ref, () => Membership.create({ userId: user.id, roles }))
      return user
    })
  },

  /** Sets (merges) the plugin's settings block of the tenant, as a tenant admin's PATCH would. */
  async settings(tenant: Tenant, pluginId: string, block: Record<string, unknown>) {
    await RequestContext.asSystem('plugin-test', async () => {
      const plugins = (tenant.settings.plugins ?? {}) as Record<string, Record<string, unknown>>
      tenant.settings = {
        ...tenant.settings,
        plugins: { ...plugins, [pluginId]: { ...(plugins[pluginId] ?? {}), ...block } },
      }
      await tenant.save()
    })
  },

  /** Schools (with their classes) in the tenant's catalog. */
  async schools(tenant: Tenant, seeds: SchoolSeed[]) {
    await RequestContext.withTenant(tenant.ref, () => ensureSchoolCatalog(seeds))
  },

  /**
   * An active enrolment of the plugin's service, as acceptance makes it: an accepted submission on
   * the plugin's first form, then `ctx.enrolments.create`.
   */
  async enrolment(
    tenant: Tenant,
    pluginId: string,
    input: Omit<NewEnrolment, 'submissionId' | 'formKey'> & { formKey?: string }
  ): Promise<EnrolmentRecord> {
    const formKey = input.formKey ?? pluginRegistry().getOrFail(pluginId).manifest.forms[0]
    return RequestContext.withTenant(tenant.ref, async () => {
      const current = await findCurrentForm(formKey)
      if (!current) throw new Error(`No form ${formKey} in ${tenant.slug}: is ${pluginId} enabled?`)
      const submission = await Submission.create({
        formId: current.form.id,
        formVersionId: current.version.id,
        formKey,
        applicantUserId: input.applicantUserId,
        submittedByUserId: input.applicantUserId,
        onBehalf: false,
        status: 'accepted',
        statusReason: null,
        data: {},
        protocolNumber: null,
        submittedAt: DateTime.now(),
      })
      const ctx = await pluginContext(pluginId, { tenant: tenant.ref })
      return ctx.enrolments.create({ ...input, formKey, submissionId: submission.id })
    })
  },

  /**
   * A new version of one of the tenant's rule sets, in force from a date: the latest version's body
   * as `edit` changes it (a tariff raised mid-year, say). Returns the new version's number.
   */
  async ruleSetVersion(tenant: Tenant, key: string, validFrom: string, edit: (body: Record<string, any>) => void) {
    return RequestContext.withTenant(tenant.ref, async () => {
      const set = await RuleSet.query().where('key', key).firstOrFail()
      const latest = await RuleSetVersion.query().where('ruleset_id', set.id).orderBy('version', 'desc').firstOrFail()
      const version = latest.version + 1
      const body = structuredClone(latest.body) as Record<string, any>
      edit(body)
      Object.assign(body, { version, valid_from: validFrom })
      await RuleSetVersion.create({
        rulesetId: set.id,
        version,
        validFrom,
        validTo: null,
        body,
        source: 'test',
        publishedBy: null,
      })
      return version
    })
  },

  /** The fee an operator sets by hand on an enrolment (a decimal string in euro). */
  async feeOverride(tenant: Tenant, enrolmentId: number, amount: string) {
    await RequestContext.withTenant(tenant.ref, () =>
      Enrolment.query().where('id', enrolmentId).update({ fee_override_amount: amount })
    )
  },

  /** Runs fn as the platform would run a plugin's code for the tenant: with its context, in its scope. */
  async as<T>(tenant: Tenant, pluginId: string, fn: (ctx: PluginContext) => Promise<T>): Promise<T> {
    return RequestContext.withTenant(tenant.ref, async () => fn(await pluginContext(pluginId, { tenant: tenant.ref })))
  },

  /** Runs one of the plugin's jobs for the tenant now, as a worker would (first attempt). */
  async runJob(tenant: Tenant, pluginId: string, job: string, payload: unknown = {}, jobId = `test-${Date.now()}`) {
    const { manifest } = pluginRegistry().getOrFail(pluginId)
    const definition = manifest.jobs?.[job]
    if (!definition) throw new Error(`Plugin "${pluginId}" declares no job "${job}"`)
    await RequestContext.withTenant(tenant.ref, async () => {
      const ctx = await pluginContext(pluginId, { tenant: tenant.ref })
      await definition.handle(payload, { ...ctx, attempt: 1, jobId })
    })
  },
}
