import type { HttpContext } from '@adonisjs/core/http'
import { t } from '#i18n/catalogue'
import FormPolicy from '#policies/form_policy'
import { formDraftService, FormDefinitionErrors } from '#services/definitions/form_draft_service'
import { designerSettingsOf } from '#services/tenants/designer_settings'
import { requestLanguage } from '#services/infrastructure/request_language'

/** A definition that cannot be published is answered with every problem, by path. */
function refuse(error: unknown, response: HttpContext['response']) {
  if (error instanceof FormDefinitionErrors) return response.unprocessableEntity({ errors: error.errors })
  throw error
}

/** Forms in the designer: versions, the draft (autosaved), publication from a day, diff, export and import. */
export default class FormDesignerController {
  async versions({ access, bouncer, params }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    return formDraftService.versions(String(params.id))
  }

  async version({ access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    const number = String(params.version)
    if (!/^[1-9][0-9]{0,8}$/.test(number)) {
      return response.notFound({ errors: [{ message: t(requestLanguage(request), 'form.notFound') }] })
    }
    return { definition: await formDraftService.version(String(params.id), Number(number)) }
  }

  /** The draft (null when there is none) and whether this person may publish it. */
  async draft({ access, bouncer, params, tenant }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    return {
      draft: await formDraftService.show(String(params.id)),
      can_publish: await bouncer.with(FormPolicy).allows('publish', access, tenant),
      designers_publish: designerSettingsOf(tenant.settings).designers_publish,
    }
  }

  async startDraft({ access, auth, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    const from = (request.body() as Record<string, unknown>).from
    const version = typeof from === 'number' && Number.isInteger(from) && from > 0 ? from : undefined
    const draft = await formDraftService.start(String(params.id), version, auth.user?.id ?? null)
    return response.created({ draft })
  }

  /** Autosave: kept whatever its state; `problems` says what stops its publication. */
  async saveDraft({ access, auth, bouncer, params, request }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    const body = request.body() as Record<string, unknown>
    return formDraftService.save(String(params.id), body.definition, auth.user?.id ?? null, requestLanguage(request))
  }

  async checkDraft({ access, bouncer, params, request }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    return { problems: await formDraftService.check(String(params.id), requestLanguage(request)) }
  }

  async discardDraft({ access, bouncer, params, response }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    await formDraftService.discard(String(params.id))
    return response.noContent()
  }

  async publishDraft({ access, auth, bouncer, params, request, response, tenant }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('publish', access, tenant)
    const body = request.body() as Record<string, unknown>
    try {
      const version = await formDraftService.publish(
        String(params.id),
        body.valid_from,
        auth.user?.id ?? null,
        requestLanguage(request)
      )
      return response.created({ version })
    } catch (error) {
      return refuse(error, response)
    }
  }

  async diff({ access, bouncer, params, request }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    const qs = request.qs()
    const from = typeof qs.from === 'string' ? qs.from : ''
    const to = typeof qs.to === 'string' ? qs.to : 'draft'
    return { diff: await formDraftService.diff(String(params.id), from, to) }
  }

  /** The form as a file (`?version=n|draft`, default the version in force). */
  async export({ access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    const which = request.qs().version
    const file = await formDraftService.exportForm(String(params.id), typeof which === 'string' ? which : undefined)
    const name = `${file.form}${file.version ? `.v${file.version}` : '.draft'}.json`
    response.header('content-disposition', `attachment; filename="${name}"`)
    return file
  }

  async import({ access, auth, bouncer, request, response }: HttpContext) {
    await bouncer.with(FormPolicy).authorize('editDraft', access)
    try {
      const draft = await formDraftService.importForm(request.body(), auth.user?.id ?? null, requestLanguage(request))
      return response.created({ draft })
    } catch (error) {
      return refuse(error, response)
    }
  }
}
