import type { HttpRouterService } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'
import { pluginContext } from '#plugins/plugin_context'
import { FileReply, PluginHttpError, Reply, validationErrors, vineMessages } from '#plugins/plugin_http'
import { contentDisposition } from '#services/infrastructure/content_disposition'
import { pluginRegistry } from '#plugins/registry'
import { StoredPluginSettingsError } from '#plugins/plugin_settings'
import { pluginService } from '#services/tenants/plugin_service'
import { requestLanguage } from '#services/infrastructure/request_language'
import type { Lang, PluginRoute, PluginRouter } from '#sdk/types'

/**
 * Mounts each plugin's routes under /<plugin id>/ inside the tenant group (auth and tenant
 * middleware already ran). Every route, in this order: 404 where the plugin is not enabled for
 * the tenant, 403 for a member without one of the route's roles, 422 when the body or query fails
 * the route's validator (each error with the JSON Pointer of its field), then the handler with
 * the plugin's context. Answers and errors keep the platform's shape `{ errors: [...] }`.
 */
export function mountPluginRoutes(router: HttpRouterService) {
  for (const { manifest } of pluginRegistry().all()) {
    if (!manifest.routes) continue
    const prefix = `/${manifest.id}`
    const mount =
      (method: 'get' | 'post' | 'put' | 'patch' | 'delete') => (path: string, route: PluginRoute<any, any>) =>
        // each route narrows its own body and query
        void router[method](prefix + path, (ctx: HttpContext) => handle(manifest.id, route, ctx))
    const pluginRouter: PluginRouter = {
      get: mount('get'),
      post: mount('post'),
      put: mount('put'),
      patch: mount('patch'),
      delete: mount('delete'),
    }
    manifest.routes(pluginRouter)
  }
}

const TEXT = {
  disabled: (id: string) => `Il servizio "${id}" non è attivo per questo ente / service "${id}" not enabled here`,
  role: {
    it: 'Operazione non consentita al tuo ruolo in questo ente.',
    en: 'Your role in this tenant does not allow this operation.',
  },
}

async function handle(pluginId: string, route: PluginRoute<any, any>, ctx: HttpContext) {
  const { request, response } = ctx
  const lang: Lang = requestLanguage(request)
  const enabled = await pluginService.enabledIds(ctx.tenant)
  if (!enabled.includes(pluginId)) return response.notFound({ errors: [{ message: TEXT.disabled(pluginId) }] })
  if (!ctx.access.has(...route.roles)) {
    return response.forbidden({ errors: [{ rule: 'role', message: TEXT.role[lang] }] })
  }
  let body: unknown
  let query: unknown = request.qs()
  try {
    if (route.body) body = await route.body.validate(request.body(), vineMessages(lang))
    if (route.query) query = await route.query.validate(request.qs(), vineMessages(lang))
  } catch (error) {
    const errors = validationErrors(error, '')
    if (!errors) throw error
    return response.unprocessableEntity({ errors })
  }
  const user = ctx.auth.getUserOrFail()
  try {
    const pluginCtx = await pluginContext(pluginId, { tenant: ctx.tenant.ref, lang })
    const result = await route.handle(
      {
        body,
        query,
        params: { ...(ctx.params as Record<string, string>) },
        user: { id: user.id, roles: [...ctx.access.roles], isPlatformAdmin: ctx.access.isPlatformAdmin },
        lang,
      },
      pluginCtx
    )
    if (result instanceof Reply) return response.status(result.status).send(result.body)
    if (result instanceof FileReply) {
      response.header('content-type', result.contentType)
      response.header('content-disposition', contentDisposition('attachment', result.fileName))
      return response.send(Buffer.from(result.content))
    }
    if (result === undefined) return response.noContent()
    return result
  } catch (error) {
    if (error instanceof PluginHttpError) return response.status(error.status).send({ errors: error.errors })
    if (error instanceof StoredPluginSettingsError) {
      return response
        .status(error.status)
        .send({ errors: [{ path: error.path, rule: 'settings', message: error.messages[lang] }] })
    }
    const errors = validationErrors(error, '')
    if (errors) return response.unprocessableEntity({ errors })
    throw error
  }
}
