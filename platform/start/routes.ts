/*
 * Routes. Everything under /api/v1/t/:tenant passes the tenant middleware,
 * the single place that binds a request to a tenant; plugin routes are
 * mounted there too, under /api/v1/t/:tenant/<plugin id>/.
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { mountPluginRoutes } from '#plugins/plugin_routes'
import { registerRulesetsRoutes } from '#start/routes/rulesets'
import { registerFormsRoutes } from '#start/routes/forms'
import { registerCatalogRoutes } from '#start/routes/catalog'
import { registerWebRoutes } from '#start/routes/web'
import { registerPluginServiceRoutes } from '#start/routes/plugin_services'
import { registerBillingRoutes } from '#start/routes/billing'

const HealthController = () => import('#controllers/health_controller')
const AuthController = () => import('#controllers/auth_controller')
const TenantsController = () => import('#controllers/tenants_controller')
const PluginsController = () => import('#controllers/plugins_controller')

router.get('/health', [HealthController, 'show'])
router.get('/ready', [HealthController, 'ready'])
registerWebRoutes(router)

router
  .group(() => {
    router.post('/auth/login', [AuthController, 'login'])
    router.get('/auth/directories', [AuthController, 'directories'])
    router.post('/auth/logout', [AuthController, 'logout']).use(middleware.auth())
    router.get('/auth/me', [AuthController, 'me']).use(middleware.auth())
    router.get('/plugins', [PluginsController, 'catalogue'])
    router.get('/platform/tenants', [TenantsController, 'index']).use(middleware.auth())
    router.post('/platform/tenants', [TenantsController, 'createFrom']).use(middleware.auth())

    router
      .group(() => {
        router.get('/', [TenantsController, 'show'])
        router.patch('/', [TenantsController, 'update'])
        router.get('/members', [TenantsController, 'members'])
        router.get('/audit', [TenantsController, 'audit'])
        router.get('/plugins', [PluginsController, 'index'])
        router.post('/plugins/:plugin/enable', [PluginsController, 'enable'])
        router.post('/plugins/:plugin/disable', [PluginsController, 'disable'])
        registerRulesetsRoutes(router)
        registerFormsRoutes(router)
        registerCatalogRoutes(router)
        registerPluginServiceRoutes(router)
        registerBillingRoutes(router)
        mountPluginRoutes(router)
      })
      .prefix('/t/:tenant')
      .use([middleware.auth(), middleware.tenant()])
  })
  .prefix('/api/v1')
