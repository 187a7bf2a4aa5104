import type { HttpRouterService } from '@adonisjs/core/types'

const CatalogController = () => import('#controllers/catalog_controller')
const CatalogSourcesController = () => import('#controllers/catalog_sources_controller')

/** School catalog routes, mounted inside the /api/v1/t/:tenant group (auth + tenant middleware already applied). */
export function registerCatalogRoutes(router: HttpRouterService) {
  router.get('/catalog/schools', [CatalogController, 'schools'])
  router.post('/catalog/schools', [CatalogController, 'storeSchool'])
  router.get('/catalog/schools/:code', [CatalogController, 'showSchool'])
  router.patch('/catalog/schools/:code', [CatalogController, 'updateSchool'])
  router.post('/catalog/schools/:code/deactivate', [CatalogController, 'deactivateSchool'])
  router.get('/catalog/schools/:code/classes', [CatalogController, 'classes'])
  router.post('/catalog/schools/:code/classes', [CatalogController, 'storeClass'])
  router.patch('/catalog/schools/:code/classes/:cid', [CatalogController, 'updateClass'])
  router.post('/catalog/schools/:code/classes/:cid/deactivate', [CatalogController, 'deactivateClass'])
  router.get('/catalog/sources', [CatalogSourcesController, 'index'])
  router.get('/catalog/sources/:source', [CatalogSourcesController, 'show'])
  router.get('/catalog/sources/:source/entries', [CatalogSourcesController, 'entries'])
  router.put('/catalog/sources/:source/:code', [CatalogSourcesController, 'update'])
}
