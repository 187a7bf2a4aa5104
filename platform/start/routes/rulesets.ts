import type { HttpRouterService } from '@adonisjs/core/types'

const RulesetsController = () => import('#controllers/rulesets_controller')

/** Rulesets routes, mounted inside the /api/v1/t/:tenant group (auth + tenant middleware already applied). */
export function registerRulesetsRoutes(router: HttpRouterService) {
  router.get('/rulesets', [RulesetsController, 'index'])
  router.get('/rulesets/:id', [RulesetsController, 'show'])
  router.post('/rulesets/:id/evaluate', [RulesetsController, 'evaluate'])
  router.post('/rulesets/:id/versions', [RulesetsController, 'publish'])
  router.get('/rulesets/:id/tests', [RulesetsController, 'tests'])
  router.post('/rulesets/:id/tests/run', [RulesetsController, 'runTests'])
}
