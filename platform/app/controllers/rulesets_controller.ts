import { currentLanguage, t } from '#i18n/catalogue'
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
import { ruleSetDraftService } from '#services/definitions/ruleset_draft_service'
import { designerSettingsOf } from '#services/tenants/designer_settings'

/** Fact sets one evaluate request may carry (each answer has its trace: a bigger batch is a bulk job, not a request). */
export const MAX_EVALUATE_BATCH = 200

/** Answers the errors of the rule set service with the status and the text a person reads. */
function refuse(error: unknown, response: HttpContext['response']) {
  const lang = currentLanguage()
  if (error instanceof RuleSetNotFoundError) {
    return response.notFound({ errors: [{ message: error.messages[lang] }] })
  }
  if (error instanceof FactsErrors) {
    return response.unprocessableEntity({ errors: error.errors })
  }
  if (error instanceof RuleSetRequestError) {
    return response.status(error.status).send({ errors: [{ message: error.messages[lang] }], ...error.details })
  }
  if (error instanceof NoVersionInForceError) {
    return response.unprocessableEntity({
      errors: [{ rule: 'version', message: t(lang, 'ruleset.noVersionAtDate') }],
    })
  }
  // The stored rules cannot compute these facts (a formula or the document is broken): the
  // request is well formed but cannot be processed; the message names the formula to fix.
  if (error instanceof FormulaError || error instanceof RuleSetError) {
    // The engine's own detail is Italian (it names the formula or the table to fix for the designer).
    return response.unprocessableEntity({
      errors: [{ rule: 'ruleset:evaluation', message: t(lang, 'ruleset.cannotEvaluate', { detail: error.message }) }],
      ...('formula' in error ? { formula: error.formula } : {}),
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
            message: t(currentLanguage(), 'ruleset.tooManyFacts', { max: MAX_EVALUATE_BATCH }),
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

  async publish({ access, auth, bouncer, params, request, response, tenant }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('publish', access, tenant)
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

  /** The draft (null when there is none) and whether this person may publish it. */
  async draft({ access, bouncer, params, response, tenant }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('editDraft', access)
    try {
      const draft = await ruleSetDraftService.show(params.id)
      const canPublish = await bouncer.with(RuleSetPolicy).allows('publish', access, tenant)
      return {
        draft,
        can_publish: canPublish,
        designers_publish: designerSettingsOf(tenant.settings).designers_publish,
      }
    } catch (error) {
      return refuse(error, response)
    }
  }

  async startDraft({ access, auth, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('editDraft', access)
    const body = request.body() as Record<string, unknown>
    try {
      const draft = await ruleSetDraftService.start(params.id, body, auth.user?.id ?? null)
      return response.created({ draft })
    } catch (error) {
      return refuse(error, response)
    }
  }

  async saveDraft({ access, auth, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('editDraft', access)
    const body = request.body() as Record<string, unknown>
    try {
      return { draft: await ruleSetDraftService.save(params.id, body, auth.user?.id ?? null) }
    } catch (error) {
      return refuse(error, response)
    }
  }

  async discardDraft({ access, bouncer, params, response }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('editDraft', access)
    try {
      await ruleSetDraftService.discard(params.id)
      return response.noContent()
    } catch (error) {
      return refuse(error, response)
    }
  }

  /** Every case of the rule set as it would be with the draft published, each at its own date. */
  async runDraft({ access, bouncer, params, response }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('editDraft', access)
    try {
      return await ruleSetDraftService.run(params.id)
    } catch (error) {
      return refuse(error, response)
    }
  }

  /** A sample evaluation with its trace and summary, on the rule set as it would be with the draft published. */
  async evaluateDraft({ access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('editDraft', access)
    const { at, facts } = await evaluateValidator.validate(request.body())
    if (Array.isArray(facts)) {
      return response.unprocessableEntity({
        errors: [{ path: '/facts', message: t(requestLanguage(request), 'draft.oneFactSet') }],
      })
    }
    try {
      return await ruleSetDraftService.evaluate(params.id, at, facts, requestLanguage(request))
    } catch (error) {
      return refuse(error, response)
    }
  }

  async publishDraft({ access, auth, bouncer, params, response, tenant }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('publish', access, tenant)
    try {
      const version = await ruleSetDraftService.publish(params.id, auth.user?.id ?? null)
      return response.created({ ruleset: params.id, version })
    } catch (error) {
      return refuse(error, response)
    }
  }

  async checkFormula({ access, bouncer, request }: HttpContext) {
    await bouncer.with(RuleSetPolicy).authorize('editDraft', access)
    return ruleSetDraftService.checkFormula((request.body() as Record<string, unknown>).expression)
  }
}
