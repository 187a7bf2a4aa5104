import type { HttpRouterService } from '@adonisjs/core/types'
import { throttleEvaluate } from '#services/infrastructure/throttle'

const RulesetsController = () => import('#controllers/rulesets_controller')

/** Rulesets routes, mounted inside the /api/v1/t/:tenant group (auth + tenant middleware already applied). */
export function registerRulesetsRoutes(router: HttpRouterService) {
  router.get('/rulesets', [RulesetsController, 'index'])
  router.get('/rulesets/:id', [RulesetsController, 'show'])
  router.post('/rulesets/:id/evaluate', [RulesetsController, 'evaluate']).use(throttleEvaluate)
  router.post('/rulesets/:id/versions', [RulesetsController, 'publish'])
  router.get('/rulesets/:id/tests', [RulesetsController, 'tests'])
  router.post('/rulesets/:id/tests/run', [RulesetsController, 'runTests']).use(throttleEvaluate)
}
