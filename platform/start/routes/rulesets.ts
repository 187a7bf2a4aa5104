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
  // The designer's draft of the next version: saved as staff go, run and tried before it is published.
  router.get('/rulesets/:id/draft', [RulesetsController, 'draft'])
  router.post('/rulesets/:id/draft', [RulesetsController, 'startDraft'])
  router.put('/rulesets/:id/draft', [RulesetsController, 'saveDraft'])
  router.delete('/rulesets/:id/draft', [RulesetsController, 'discardDraft'])
  router.post('/rulesets/:id/draft/run', [RulesetsController, 'runDraft']).use(throttleEvaluate)
  router.post('/rulesets/:id/draft/evaluate', [RulesetsController, 'evaluateDraft']).use(throttleEvaluate)
  router.post('/rulesets/:id/draft/publish', [RulesetsController, 'publishDraft'])
  router.post('/rulesets/:id/formulas/check', [RulesetsController, 'checkFormula']).use(throttleEvaluate)
}
