import type { HttpRouterService } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'
import { pluginRegistry } from '#plugins/registry'
import { pluginService } from '#services/plugin_service'
import type { PluginRouteHandler, PluginRouter } from '../../sdk/index.js'

/**
 * Mounts each plugin's routes under /<plugin id>/ inside the tenant group. A
 * plugin route answers only for tenants that have the plugin enabled.
 */
export function mountPluginRoutes(router: HttpRouterService) {
  for (const { manifest } of pluginRegistry().all()) {
    if (!manifest.routes) continue
    const guard =
      (handler: PluginRouteHandler) =>
      async (ctx: HttpContext): Promise<unknown> => {
        const enabled = await pluginService.enabledIds(ctx.tenant)
        if (!enabled.includes(manifest.id)) {
          return ctx.response.notFound({
            errors: [{ message: `Il servizio "${manifest.id}" non è attivo per questo ente / service not enabled` }],
          })
        }
        return handler(ctx)
      }
    const prefix = `/${manifest.id}`
    const pluginRouter: PluginRouter = {
      get: (path, handler) => void router.get(prefix + path, guard(handler)),
      post: (path, handler) => void router.post(prefix + path, guard(handler)),
      put: (path, handler) => void router.put(prefix + path, guard(handler)),
      delete: (path, handler) => void router.delete(prefix + path, guard(handler)),
    }
    manifest.routes(pluginRouter)
  }
}
