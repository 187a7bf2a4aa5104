import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import { isPlainObject } from '#forms/json_pointer'
import { tariffFacts } from '#forms/tariff_preview'
import TenantPolicy from '#policies/tenant_policy'
import { findCurrentForm } from '#services/definitions/form_service'
import { pluginService } from '#services/tenants/plugin_service'
import { requestLanguage } from '#services/infrastructure/request_language'
import {
  FactsErrors,
  ruleSetService,
  todayInItaly,
  type ExplainedEvaluation,
} from '#services/definitions/ruleset_service'
import { tariffPdf } from '#services/definitions/tariff_pdf'
import { contentDisposition } from '#services/infrastructure/content_disposition'

const TEXT = {
  formNotFound: {
    it: 'Modulo non trovato o servizio non attivo.',
    en: 'Form not found, or its service is not active.',
  },
  noTariff: { it: 'Questo modulo non calcola una tariffa.', en: 'This form computes no fee.' },
  data: { it: 'Inviare i dati del modulo in "data" (un oggetto).', en: 'Send the form data in "data" (an object).' },
  incomplete: {
    it: 'Completa i dati richiesti per calcolare la tariffa, poi riprova.',
    en: 'Complete the data the fee needs, then try again.',
  },
}

export default class TariffPdfController {
  /**
   * `POST /forms/:id/tariff.pdf` with `{ data }`, the form as filled so far: the same fee the
   * portal shows live (the form's `tariff_preview` facts, the rule set in force today), with its
   * explanation, as a PDF. Nothing is stored: it is a calculation, like `rulesets/:id/evaluate`.
   */
  async show({ access, bouncer, params, request, response, tenant }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const lang = requestLanguage(request)
    const current = await findCurrentForm(String(params.id))
    if (!current || !(await pluginService.enabledIds(tenant)).includes(current.form.service)) {
      return response.notFound({ errors: [{ message: TEXT.formNotFound[lang] }] })
    }
    const data = request.input('data')
    if (!isPlainObject(data))
      return response.unprocessableEntity({ errors: [{ path: '/data', message: TEXT.data[lang] }] })
    const facts = tariffFacts(current.definition, data)
    if (!facts) return response.unprocessableEntity({ errors: [{ message: TEXT.noTariff[lang] }] })

    const at = todayInItaly()
    let evaluation: ExplainedEvaluation
    try {
      evaluation = (await ruleSetService.evaluate(facts.ruleset, at, facts.facts, lang)) as ExplainedEvaluation
    } catch (error) {
      if (!(error instanceof FactsErrors)) throw error
      return response.unprocessableEntity({ errors: [{ message: TEXT.incomplete[lang] }, ...error.errors] })
    }
    const ruleset = await ruleSetService.document(facts.ruleset)
    const title = current.definition.title
    const pdf = await tariffPdf({
      lang,
      tenantName: tenant.name,
      formTitle: title[lang] ?? title.it,
      rulesetTitle: ruleset.title[lang] ?? ruleset.title.it,
      at: DateTime.fromISO(at).toFormat('dd/MM/yyyy'),
      evaluation,
      summary: evaluation.summary!,
    })
    response.header('content-type', 'application/pdf')
    response.header('content-disposition', contentDisposition('attachment', `tariffa-${current.form.key}.pdf`))
    response.header('cache-control', 'no-store')
    return response.send(Buffer.from(pdf))
  }
}
