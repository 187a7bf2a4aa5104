import { enabledKept } from '#services/tenants/enabled_services'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import { pluginRegistry } from '#plugins/registry'
import { RequestContext } from '#services/infrastructure/request_context'
import { loadDefaultForms, loadDefaultRuleSets } from '#services/content/default_content'
import { pluginContext } from '#plugins/plugin_context'
import type { Role } from '#services/tenants/roles'

/**
 * Enabling and disabling a plugin for a tenant. Enabling runs the plugin's
 * install hook the first time and its enable hook every time, and copies the
 * plugin's default forms and rule sets into the tenant unless the tenant
 * already has them (so it is idempotent and never overwrites staff edits).
 */
export class PluginService {
  async enable(tenant: Tenant, pluginId: string) {
    const { manifest } = pluginRegistry().getOrFail(pluginId)
    return RequestContext.withTenant(tenant.ref, async () => {
      const copied = await db.transaction(async (trx) => {
        let row = await TenantPlugin.query({ client: trx }).where('plugin_id', pluginId).first()
        const firstTime = !row
        if (!row) {
          row = new TenantPlugin().useTransaction(trx)
          row.pluginId = pluginId
        }
        if (!row.enabled) {
          row.enabled = true
          row.enabledAt = DateTime.now()
          await row.save()
        }
        const result = await this.#copyDefaults(trx, manifest.forms, manifest.rulesets, pluginId)
        const ctx = await pluginContext(pluginId, { tenant: tenant.ref, trx })
        if (firstTime) await manifest.hooks?.install?.(ctx)
        await manifest.hooks?.enable?.(ctx)
        return result
      })
      return copied
    })
  }

  /** Runs the plugin's demo hook for a demo tenant where it is enabled (idempotent, like the hook). */
  async seedDemo(tenant: Tenant, pluginId: string, users: Array<{ id: number; email: string; roles: Role[] }>) {
    const { manifest } = pluginRegistry().getOrFail(pluginId)
    if (!manifest.hooks?.demo) return
    await RequestContext.withTenant(tenant.ref, async () => {
      await manifest.hooks!.demo!(await pluginContext(pluginId, { tenant: tenant.ref }), { users })
    })
  }

  async disable(tenant: Tenant, pluginId: string) {
    const { manifest } = pluginRegistry().getOrFail(pluginId)
    await RequestContext.withTenant(tenant.ref, async () => {
      const row = await TenantPlugin.query().where('plugin_id', pluginId).first()
      if (!row || !row.enabled) return
      row.enabled = false
      await row.save()
      if (manifest.hooks?.disable) await manifest.hooks.disable(await pluginContext(pluginId, { tenant: tenant.ref }))
    })
  }

  /** The tenant's enabled services, kept by the process under the content stamp of the tenant row given. */
  async enabledIds(tenant: Tenant): Promise<string[]> {
    // A row read without its stamp (a partial select, a row just created) is not trusted with one: read afresh.
    const ids = await enabledKept.get(tenant.id, tenant.contentStamp, () =>
      RequestContext.withTenant(tenant.ref, async () => {
        const rows = await TenantPlugin.query().where('enabled', true).orderBy('plugin_id')
        return rows.map((r) => r.pluginId)
      })
    )
    return [...ids]
  }

  async #copyDefaults(trx: TransactionClientContract, formIds: string[], rulesetIds: string[], service: string) {
    const copied = { forms: [] as string[], rulesets: [] as string[] }
    const [forms, rulesets] = await Promise.all([loadDefaultForms(), loadDefaultRuleSets()])

    for (const id of rulesetIds) {
      if (await RuleSet.query({ client: trx }).where('key', id).first()) continue
      const doc = rulesets.get(id)!.json as { title?: Record<string, string>; service?: string; versions: any[] } // version bodies are validated by the rules engine
      const ruleset = await RuleSet.create(
        { key: id, service: doc.service ?? service, title: doc.title ?? { it: id, en: id } },
        { client: trx }
      )
      for (const version of doc.versions) {
        await RuleSetVersion.create(
          {
            rulesetId: ruleset.id,
            version: version.version,
            validFrom: version.valid_from,
            validTo: version.valid_to ?? null,
            body: version,
            source: 'default',
            publishedBy: null,
          },
          { client: trx }
        )
      }
      copied.rulesets.push(id)
    }

    for (const id of formIds) {
      if (await Form.query({ client: trx }).where('key', id).first()) continue
      const definition = forms.get(id)!.json as { title?: Record<string, string>; service?: string; version?: number }
      const form = await Form.create(
        { key: id, service: definition.service ?? service, title: definition.title ?? { it: id, en: id } },
        { client: trx }
      )
      await FormVersion.create(
        { formId: form.id, version: definition.version ?? 1, definition, source: 'default', publishedBy: null },
        { client: trx }
      )
      copied.forms.push(id)
    }
    return copied
  }
}

export const pluginService = new PluginService()
