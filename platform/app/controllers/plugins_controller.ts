import type { HttpContext } from '@adonisjs/core/http'
import TenantPolicy from '#policies/tenant_policy'
import { pluginRegistry } from '#plugins/registry'
import { pluginService } from '#services/tenants/plugin_service'

function describe(id: string) {
  const { manifest } = pluginRegistry().getOrFail(id)
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    forms: manifest.forms,
    rulesets: manifest.rulesets,
  }
}

export default class PluginsController {
  /** Every installed plugin (public: what services the platform offers). */
  async catalogue() {
    return {
      plugins: pluginRegistry()
        .all()
        .map((p) => describe(p.manifest.id)),
    }
  }

  async index({ tenant, access, bouncer }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const enabled = new Set(await pluginService.enabledIds(tenant))
    return {
      plugins: pluginRegistry()
        .all()
        .map((p) => ({ ...describe(p.manifest.id), enabled: enabled.has(p.manifest.id) })),
    }
  }

  async enable({ tenant, access, bouncer, params, response }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('manage', access)
    if (!pluginRegistry().get(params.plugin)) {
      return response.notFound({ errors: [{ message: `Servizio "${params.plugin}" inesistente / no such plugin` }] })
    }
    const copied = await pluginService.enable(tenant, params.plugin)
    return { plugin: params.plugin, enabled: true, copied }
  }

  async disable({ tenant, access, bouncer, params, response }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('manage', access)
    if (!pluginRegistry().get(params.plugin)) {
      return response.notFound({ errors: [{ message: `Servizio "${params.plugin}" inesistente / no such plugin` }] })
    }
    await pluginService.disable(tenant, params.plugin)
    return { plugin: params.plugin, enabled: false }
  }
}
