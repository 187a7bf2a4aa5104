import type { HttpContext } from '@adonisjs/core/http'
import TenantPolicy from '#policies/tenant_policy'
import RuleSetPolicy from '#policies/ruleset_policy'
import { FormulaError, NoVersionInForceError, RuleSetError } from '#rules/engine'
import {
  FactsErrors,
  ruleSetService,
  RuleSetNotFoundError,
  RuleSetRequestError,
} from '#services/definitions/ruleset_service'
import { evaluateValidator, publishValidator, runTestsValidator } from '#validators/ruleset'
import { requestLanguage } from '#services/infrastructure/request_language'

/** Fact sets one evaluate request may carry (each answer has its trace: a bigger batch is a bulk job, not a request). */
export const MAX_EVALUATE_BATCH = 200

/** Answers the errors of the rule set service with the status and the text a person reads. */
function refuse(error: unknown, response: HttpContext['response']) {
  if (error instanceof RuleSetNotFoundError) {
    return response.notFound({ errors: [{ message: error.message }] })
  }
  if (error instanceof FactsErrors) {
    return response.unprocessableEntity({ errors: error.errors })
  }
  if (error instanceof RuleSetRequestError) {
    return response.status(error.status).send({ errors: [{ message: error.message }], ...error.details })
  }
  if (error instanceof NoVersionInForceError) {
    return response.unprocessableEntity({
      errors: [{ message: `${error.message} / no version of this rule set is in force at that date` }],
    })
  }
  // The stored rules cannot compute these facts (a formula or the document is broken): the
  // request is well formed but cannot be processed; the message names the formula to fix.
  if (error instanceof FormulaError || error instanceof RuleSetError) {
    return response.unprocessableEntity({
      errors: [
        {
          message: `${error.message} / the rule set could not be evaluated`,
          ...('formula' in error ? { formula: error.formula } : {}),
        },
      ],
    })
  }
  throw error
}

export default class RulesetsController {
  async index({ access, bouncer }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    return { rulesets: await ruleSetService.list() }
  }

  async show({ access, bouncer, params, response }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('readContent', access)
    try {
      return { ruleset: await ruleSetService.show(params.id) }
    } catch (error) {
      return refuse(error, response)
    }
  }

  /**
   * `facts` an object → one result; an array (at most MAX_EVALUATE_BATCH) → the results in the same
   * order. Each result has the
   * outputs (`result`), the `units` of its amounts, the operator's `trace` and the family's
   * `summary` in the request's language (Accept-Language).
   */
  async evaluate({ access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const { at, facts } = await evaluateValidator.validate(request.body())
    if (Array.isArray(facts) && facts.length > MAX_EVALUATE_BATCH) {
      return response.status(413).send({
        errors: [
          {
            path: '/facts',
            rule: 'request:batch',
            message: `Troppi insiemi di dati in una richiesta: al massimo ${MAX_EVALUATE_BATCH}, dividerli in più richieste / too many fact sets in one request: ${MAX_EVALUATE_BATCH} at most, split them over several requests`,
          },
        ],
      })
    }
    try {
      return await ruleSetService.evaluate(params.id, at, facts, requestLanguage(request))
    } catch (error) {
      return refuse(error, response)
    }
  }

  async publish({ access, auth, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('editContent', access)
    const input = await publishValidator.validate(request.body())
    try {
      const version = await ruleSetService.publish(params.id, input, auth.user?.id ?? null)
      return response.created({ ruleset: params.id, version })
    } catch (error) {
      return refuse(error, response)
    }
  }

  async tests({ access, bouncer, params, response }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('readContent', access)
    try {
      return await ruleSetService.tests(params.id)
    } catch (error) {
      return refuse(error, response)
    }
  }

  async runTests({ access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('readContent', access)
    const { version } = await runTestsValidator.validate(request.body())
    try {
      return await ruleSetService.runTests(params.id, version)
    } catch (error) {
      return refuse(error, response)
    }
  }
}
