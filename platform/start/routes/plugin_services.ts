import type { HttpRouterService } from '@adonisjs/core/types'

const ReportsController = () => import('#controllers/reports_controller')
const PluginSettingsController = () => import('#controllers/plugin_settings_controller')

/**
 * What the platform serves from the plugins' manifests, inside the /api/v1/t/:tenant group:
 * reports and plugin settings blocks with their defaults (plugin catalog kinds answer at
 * /catalog/sources/:source, beside the platform's lists: catalog_sources_controller.ts).
 */
export function registerPluginServiceRoutes(router: HttpRouterService) {
  router.get('/reports', [ReportsController, 'index'])
  router.get('/reports/:id/export', [ReportsController, 'export'])
  router.post('/reports/:id/runs', [ReportsController, 'storeRun'])
  router.get('/reports/:id/runs/:rid', [ReportsController, 'showRun'])
  router.get('/reports/:id/runs/:rid/file', [ReportsController, 'download'])
  router.get('/plugins/:plugin/settings', [PluginSettingsController, 'show'])
}
