/*
 * HTTP kernel: the middleware every request passes through, and the named
 * middleware routes opt into.
 */
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'
// Validation messages follow the request's language (app/i18n/vine_messages.ts).
import '#i18n/vine_messages'

server.errorHandler(() => import('#exceptions/handler'))

server.use([
  () => import('#middleware/request_load_middleware'),
  () => import('#middleware/request_context_middleware'),
  () => import('#middleware/response_guard_middleware'),
  () => import('#middleware/security_headers_middleware'),
  () => import('#middleware/same_origin_middleware'),
  () => import('#middleware/container_bindings_middleware'),
])

router.use([
  () => import('#middleware/body_parser_middleware'),
  () => import('#middleware/session_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('#middleware/initialize_bouncer_middleware'),
])

export const middleware = router.named({
  auth: () => import('#middleware/auth_middleware'),
  tenant: () => import('#middleware/tenant_middleware'),
})
