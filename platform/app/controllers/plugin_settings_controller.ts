import type { HttpContext } from '@adonisjs/core/http'
import TenantPolicy from '#policies/tenant_policy'
import { StoredPluginSettingsError, readPluginSettings } from '#plugins/plugin_settings'
import { pluginRegistry } from '#plugins/registry'
import { requestLanguage } from '#services/infrastructure/request_language'

/** What the platform serves from plugin manifests: their settings blocks. */
export default class PluginSettingsController {
  /** `GET /plugins/:plugin/settings`: the tenant's block with the plugin's defaults applied. */
  async show({ tenant, access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const lang = requestLanguage(request)
    const manifest = pluginRegistry().get(params.plugin)?.manifest
    if (!manifest?.settings) {
      return response.notFound({
        errors: [
          {
            message: `Nessun servizio "${params.plugin}" con impostazioni / no plugin "${params.plugin}" with settings`,
          },
        ],
      })
    }
    try {
      return { plugin: manifest.id, settings: readPluginSettings(manifest.id, tenant.settings) }
    } catch (error) {
      if (!(error instanceof StoredPluginSettingsError)) throw error
      return response
        .status(error.status)
        .send({ errors: [{ path: error.path, rule: 'settings', message: error.messages[lang] }] })
    }
  }
}
