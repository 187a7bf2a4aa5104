import { currentLanguage, t } from '#i18n/catalogue'
import type { HttpContext } from '@adonisjs/core/http'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import TenantPolicy from '#policies/tenant_policy'
import { findCurrentForm, inForce } from '#services/definitions/form_service'
import { pluginService } from '#services/tenants/plugin_service'
import { enrolmentWindow, enrolmentWindowsOf } from '#services/enrolments/enrolment_windows'
import { applicantFactsFor } from '#services/submissions/applicant_facts'

const notFound = () => ({ errors: [{ message: t(currentLanguage(), 'form.notFound') }] })

export default class FormsController {
  /** The forms of the services the tenant offers, with the version in force and whether their call is open. */
  async index({ tenant, access, bouncer }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const services = await pluginService.enabledIds(tenant)
    const forms = services.length ? await Form.query().whereIn('service', services).orderBy('key') : []
    const versions = forms.length
      ? await inForce(
          FormVersion.query().whereIn(
            'form_id',
            forms.map((f) => f.id)
          )
        ).select('id', 'form_id', 'version')
      : []
    const latest = new Map<number, FormVersion>()
    for (const v of versions) if ((latest.get(v.formId)?.version ?? -1) < v.version) latest.set(v.formId, v)
    const windows = enrolmentWindowsOf(tenant.settings)
    const now = new Date()
    return {
      forms: forms
        .filter((f) => latest.has(f.id))
        .map((f) => ({
          id: f.id,
          key: f.key,
          service: f.service,
          title: f.title,
          currentVersion: { id: latest.get(f.id)!.id, version: latest.get(f.id)!.version },
          enrolment: enrolmentWindow(windows, f.key, now),
        })),
    }
  }

  /** The definition of the version in force: what the browser renders and the server enforces. */
  async show({ tenant, access, bouncer, params, response }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const current = await findCurrentForm(String(params.id))
    if (!current || !(await pluginService.enabledIds(tenant)).includes(current.form.service))
      return response.notFound(notFound())
    return {
      form: {
        id: current.form.id,
        key: current.form.key,
        service: current.form.service,
        title: current.form.title,
        currentVersion: { id: current.version.id, version: current.version.version },
        enrolment: enrolmentWindow(enrolmentWindowsOf(tenant.settings), current.form.key, new Date()),
        definition: current.definition,
      },
    }
  }

  /**
   * `GET /forms/:id/facts`: the facts about the applicant the form's BLOCCO rules read
   * (shared/applicant_facts.ts), so the portal shows a rule where the server will apply it: the
   * reader's own, or, for the office filing on a citizen's behalf, `?applicant=<user id>`'s.
   * `facts` is null for a form whose rules read none.
   */
  async facts(ctx: HttpContext) {
    const { tenant, access, bouncer, params, request, response } = ctx
    await bouncer.with(TenantPolicy).authorize('view', access)
    const lang = currentLanguage()
    const current = await findCurrentForm(String(params.id))
    if (!current || !(await pluginService.enabledIds(tenant)).includes(current.form.service))
      return response.notFound(notFound())
    let applicantId = ctx.auth.getUserOrFail().id
    const raw = request.qs().applicant
    if (raw !== undefined) {
      const id = Number(raw)
      if (!access.has('operator', 'tenant_admin') || !Number.isSafeInteger(id) || id < 1) {
        return response.unprocessableEntity({
          errors: [{ path: '/applicant', rule: 'applicant', message: t(lang, 'form.factsApplicant') }],
        })
      }
      applicantId = id
    }
    return { facts: (await applicantFactsFor(current, applicantId, lang)) ?? null }
  }
}
