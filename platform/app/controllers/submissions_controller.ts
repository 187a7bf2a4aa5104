import { buildReceipt } from '#services/submissions/receipt_service'
import type { HttpContext } from '@adonisjs/core/http'
import { PAGE_SIZE, pageParam } from '#services/infrastructure/pagination'
import Submission from '#models/submission'
import Membership from '#models/membership'
import FormVersion from '#models/form_version'
import type SubmissionEvent from '#models/submission_event'
import SubmissionPolicy from '#policies/submission_policy'
import { findCurrentForm, type CurrentForm } from '#services/definitions/form_service'
import { pluginService } from '#services/tenants/plugin_service'
import { askedLanguage, requestLanguage } from '#services/infrastructure/request_language'
import type { SubmissionSummaryDto } from '#shared/contract'
import { contentDisposition } from '#services/infrastructure/content_disposition'
import {
  TransitionError,
  isEditable,
  isStatus,
  submissionService,
  type Outcome,
  type SendingWindow,
} from '#services/submissions/submission_service'
import { enrolmentWindow, enrolmentWindowsOf } from '#services/enrolments/enrolment_windows'
import { parseDraftBody, parseStatusBody } from '#validators/submission'
import type { FormError, Lang } from '#forms/types'

/** What lists show: everything but the data, read only for the child's name (childNameIn). */
const SUMMARY_COLUMNS = [
  'id',
  'tenant_id',
  'form_id',
  'form_version_id',
  'form_key',
  'applicant_user_id',
  'submitted_by_user_id',
  'on_behalf',
  'status',
  'status_reason',
  'protocol_number',
  'submitted_at',
  'created_at',
  'updated_at',
  'data',
]

/** The child's first and last name in the form's data (`student` or `child`), or null. */
function childNameIn(data: Record<string, unknown> | null | undefined): string | null {
  for (const field of ['student', 'child']) {
    const child = data?.[field]
    if (typeof child !== 'object' || child === null || Array.isArray(child)) continue
    const { first_name: first, last_name: last } = child as Record<string, unknown>
    const name = [first, last].filter((p) => typeof p === 'string' && p.trim() !== '').join(' ')
    if (name) return name.slice(0, 120)
  }
  return null
}

const TEXT = {
  formNotFound: {
    it: 'Modulo non trovato o servizio non attivo.',
    en: 'Form not found, or its service is not active.',
  },
  notFound: { it: 'Domanda non trovata.', en: 'Submission not found.' },
  applicant: {
    it: 'L\'utente indicato in "applicant_user_id" non è iscritto a questo ente.',
    en: 'The user given as "applicant_user_id" is not a member of this tenant.',
  },
  onBehalf: {
    it: 'Solo un operatore può presentare una domanda per conto di un altro cittadino.',
    en: "Only an operator can submit on another citizen's behalf.",
  },
}

/** Typed by the contract the portal reads, so a renamed or missing field fails the type check. */
function summary(s: Submission): SubmissionSummaryDto {
  return {
    id: s.id,
    formId: s.formId,
    formKey: s.formKey,
    formVersionId: s.formVersionId,
    applicantUserId: s.applicantUserId,
    submittedByUserId: s.submittedByUserId,
    onBehalf: s.onBehalf,
    status: s.status,
    statusReason: s.statusReason,
    editable: isEditable(s),
    childName: childNameIn(s.data),
    protocolNumber: s.protocolNumber,
    submittedAt: s.submittedAt?.toISO() ?? null,
    createdAt: s.createdAt.toISO(),
    updatedAt: s.updatedAt?.toISO() ?? null,
  }
}

export default class SubmissionsController {
  /** A citizen sees the submissions they are the applicant of; operators and admins all of the tenant's. */
  async index({ access, auth, bouncer, request }: HttpContext) {
    const user = auth.getUserOrFail()
    const page = pageParam(request)
    const query = Submission.query().select(SUMMARY_COLUMNS).orderBy('id', 'desc')
    if (await bouncer.with(SubmissionPolicy).denies('viewAll', access)) query.where('applicant_user_id', user.id)
    const status = request.input('status')
    if (isStatus(status)) query.where('status', status)
    const form = request.input('form')
    if (typeof form === 'string' && form) query.where('form_key', form)
    const result = await query.paginate(page, PAGE_SIZE)
    return { submissions: result.all().map(summary), meta: result.getMeta() }
  }

  /** One submission with its data and its status history. */
  async show(ctx: HttpContext) {
    const found = await this.#find(ctx, 'view')
    if (!found) return
    const staff = await ctx.bouncer.with(SubmissionPolicy).allows('viewAll', ctx.access)
    return this.#present(found, staff, requestLanguage(ctx.request))
  }

  /** The receipt PDF, for the applicant and staff, once the submission has been sent. */
  async receipt(ctx: HttpContext) {
    const found = await this.#find(ctx, 'view')
    if (!found) return
    if (found.status === 'draft') {
      return ctx.response.conflict({
        errors: [
          {
            message: "La ricevuta esiste dopo l'invio della domanda / the receipt exists once the application is sent",
          },
        ],
      })
    }
    // The reader's language when the request names one, else the language the submission was sent in.
    const { pdf, lang } = await buildReceipt(found, null, askedLanguage(ctx.request) ?? found.lang)
    const name = lang === 'en' ? 'receipt' : 'ricevuta'
    ctx.response.header('content-type', 'application/pdf')
    ctx.response.header('content-disposition', contentDisposition('inline', `${name}-${found.id}.pdf`))
    return ctx.response.send(Buffer.from(pdf))
  }

  /** Saves a new draft: `{ data, applicant_user_id? }` (the latter for operators: procura). */
  async store(ctx: HttpContext) {
    return this.#create(ctx, 'draft')
  }

  /** Creates and submits in one request, for API clients. */
  async submitNew(ctx: HttpContext) {
    return this.#create(ctx, 'submit')
  }

  /**
   * Checks `{ data }` as sending it would, storing nothing: 200 `{ valid: true, warnings }` when it
   * would be accepted (warnings as a sending would carry them), 422 with every error otherwise.
   */
  async check(ctx: HttpContext) {
    return this.#create(ctx, 'check')
  }

  /** Replaces a draft's data; only shapes and sizes are checked until it is submitted. */
  async update(ctx: HttpContext) {
    return this.#edit(ctx, true, (found, current, data, userId, lang) =>
      submissionService.updateDraft(found, current, data!, userId, lang)
    )
  }

  /**
   * Full validation, then `submitted`. The body is optional: `{ data }`
   * submits new data in place of the saved draft.
   */
  async submit(ctx: HttpContext) {
    return this.#edit(ctx, false, async (found, current, data, userId, lang) =>
      submissionService.submit(found, current, userId, lang, data ?? found.data, await this.#window(ctx, current))
    )
  }

  /** The form's enrolment window now; staff (procura) may file outside it, at the counter. */
  async #window(ctx: HttpContext, current: CurrentForm): Promise<SendingWindow> {
    return {
      decision: enrolmentWindow(enrolmentWindowsOf(ctx.tenant.settings), current.form.key, new Date()),
      staffMayFileLate: await ctx.bouncer.with(SubmissionPolicy).allows('actOnBehalf', ctx.access),
    }
  }

  /** The common path of update and submit: body check, the caller's own submission, its form. */
  async #edit(
    ctx: HttpContext,
    dataRequired: boolean,
    action: (
      found: Submission,
      current: CurrentForm,
      data: Record<string, unknown> | undefined,
      userId: number,
      lang: Lang
    ) => Promise<Outcome>
  ) {
    const lang = requestLanguage(ctx.request)
    const body = parseDraftBody(ctx.request.body(), lang, { dataRequired, applicant: false })
    if (!body.ok) return this.#refuse(ctx, body.errors)
    const found = await this.#find(ctx, 'edit')
    if (!found) return
    const current = await this.#formOf(ctx, found)
    if (!current) return
    const user = ctx.auth.getUserOrFail()
    return this.#answer(ctx, lang, 200, () => action(found, current, body.value.data, user.id, lang))
  }

  /** Back-office moves: `{ status, reason }`; a reason is required to reject or ask for completion. */
  async changeStatus(ctx: HttpContext) {
    const { bouncer, access, request, auth } = ctx
    await bouncer.with(SubmissionPolicy).authorize('changeStatus', access)
    const lang = requestLanguage(request)
    const body = parseStatusBody(request.body(), lang)
    if (!body.ok) return this.#refuse(ctx, body.errors)
    const found = await this.#find(ctx, 'view')
    if (!found) return
    const user = auth.getUserOrFail()
    return this.#answer(ctx, lang, 200, async () => ({
      ok: true,
      submission: await submissionService.changeStatus(found, body.value.status, body.value.reason, user.id),
    }))
  }

  async #create(ctx: HttpContext, mode: 'draft' | 'submit' | 'check') {
    const { bouncer, access, request, response, params, tenant } = ctx
    await bouncer.with(SubmissionPolicy).authorize('apply', access)
    const lang = requestLanguage(request)
    const body = parseDraftBody(request.body(), lang, { dataRequired: true, applicant: true })
    if (!body.ok) return this.#refuse(ctx, body.errors)
    const current = await findCurrentForm(String(params.id))
    if (!current || !(await pluginService.enabledIds(tenant)).includes(current.form.service)) {
      return response.notFound({ errors: [{ message: TEXT.formNotFound[lang] }] })
    }
    const user = ctx.auth.getUserOrFail()
    const applicantUserId = body.value.applicantUserId ?? user.id
    if (applicantUserId !== user.id) {
      // Procura: only staff may act for someone else, and only for a member of this tenant.
      await bouncer.with(SubmissionPolicy).authorize('actOnBehalf', access)
      const member = await Membership.query().where('user_id', applicantUserId).first()
      if (!member)
        return this.#refuse(ctx, [
          { path: '/applicant_user_id', rule: 'request:applicant', message: TEXT.applicant[lang] },
        ])
    }
    const input = { data: body.value.data!, applicantUserId, actorUserId: user.id }
    if (mode === 'check') {
      const checked = await submissionService.check(
        current,
        { ...input, window: await this.#window(ctx, current) },
        lang
      )
      if (!checked.ok) return this.#refuse(ctx, checked.errors)
      const warnings = (checked.warnings ?? []).map((w) => ({ rule: w.rule, message: w.messages[lang] }))
      return { valid: true, warnings }
    }
    return this.#answer(ctx, lang, 201, async () =>
      mode === 'draft'
        ? submissionService.createDraft(current, input, lang)
        : submissionService.createAndSubmit(current, { ...input, window: await this.#window(ctx, current) }, lang)
    )
  }

  /** Runs a change; a refused one answers 422 with every error, in the request's language. */
  async #answer(ctx: HttpContext, lang: Lang, status: number, change: () => Promise<Outcome>) {
    let outcome: Outcome
    try {
      outcome = await change()
    } catch (error) {
      if (!(error instanceof TransitionError)) throw error
      return this.#refuse(ctx, [{ path: '/status', rule: 'transition', message: error.messages[lang] }])
    }
    if (!outcome.ok) return this.#refuse(ctx, outcome.errors)
    const staff = await ctx.bouncer.with(SubmissionPolicy).allows('viewAll', ctx.access)
    const body = await this.#present(outcome.submission, staff, lang, outcome)
    // Sent, with something the sender should know (a second application for the same child).
    const warnings = (outcome.warnings ?? []).map((w) => ({ rule: w.rule, message: w.messages[lang] }))
    return ctx.response.status(status).send(warnings.length ? { ...body, warnings } : body)
  }

  #refuse(ctx: HttpContext, errors: FormError[]) {
    return ctx.response.unprocessableEntity({ errors })
  }

  /**
   * The submission named by `:sid`, if the user may see it. Someone else's
   * submission answers 404 like a missing one, so its existence is not disclosed.
   */
  async #find(ctx: HttpContext, ability: 'view' | 'edit') {
    const lang = requestLanguage(ctx.request)
    const sid = String(ctx.params.sid)
    const row = /^\d{1,9}$/.test(sid) ? await Submission.find(Number(sid)) : null
    if (!row || (await ctx.bouncer.with(SubmissionPolicy).denies(ability, ctx.access, row))) {
      ctx.response.notFound({ errors: [{ message: TEXT.notFound[lang] }] })
      return null
    }
    return row
  }

  /** The form in force for a submission's form (a draft is checked against the current version). */
  async #formOf(ctx: HttpContext, submission: Submission): Promise<CurrentForm | null> {
    const current = await findCurrentForm(String(submission.formId))
    if (!current) ctx.response.notFound({ errors: [{ message: TEXT.formNotFound[requestLanguage(ctx.request)] }] })
    return current
  }

  /** A submission as answered; `known` spares reading back what the change that made it knows. */
  async #present(
    submission: Submission,
    staff: boolean,
    lang: Lang,
    known: { history?: SubmissionEvent[]; formVersion?: number } = {}
  ) {
    const [version, history] = await Promise.all([
      known.formVersion ??
        FormVersion.query()
          .where('id', submission.formVersionId)
          .select('id', 'version')
          .first()
          .then((v) => v?.version ?? null),
      known.history ?? submissionService.history(submission),
    ])
    return {
      submission: {
        ...summary(submission),
        formVersion: version,
        data: submission.data,
        history: history.map((e) => ({
          from: e.fromStatus,
          to: e.toStatus,
          reason: e.reason,
          at: e.createdAt.toISO(),
          // Staff see who made each step; a citizen sees the steps, not staff identities.
          ...(staff ? { userId: e.userId } : {}),
        })),
        // What staff should check before deciding, in the reader's language.
        ...(staff
          ? { warnings: (submission.warnings ?? []).map((w) => ({ rule: w.rule, message: w.messages[lang] })) }
          : {}),
      },
    }
  }
}
