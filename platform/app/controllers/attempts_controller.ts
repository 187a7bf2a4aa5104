import type { HttpContext } from '@adonisjs/core/http'
import SubmissionPolicy from '#policies/submission_policy'
import { requestLanguage } from '#services/infrastructure/request_language'
import {
  externalAttempts,
  interruptedMessage,
  type AttemptKind,
  type AttemptStatus,
} from '#services/infrastructure/external_attempts'
import { AttemptNotUnderReviewError, resolveAttempt } from '#services/infrastructure/attempt_review'
import { parseResolution } from '#validators/attempt'

const STATUSES: readonly AttemptStatus[] = ['pending', 'done', 'needs_review']
const KINDS: readonly AttemptKind[] = ['protocol', 'mail']

/**
 * Calls to outside systems recorded before they were made (external_attempts.ts):
 * the back office lists those waiting for a person (`?status=needs_review`) and
 * resolves them once it has looked at the other system.
 */
export default class AttemptsController {
  async index({ access, bouncer, request, tenant }: HttpContext) {
    await bouncer.with(SubmissionPolicy).authorize('viewAll', access)
    const lang = requestLanguage(request)
    const status = request.input('status')
    const kind = request.input('kind')
    const attempts = await externalAttempts.list(tenant.id, {
      status: STATUSES.includes(status) ? status : undefined,
      kind: KINDS.includes(kind) ? kind : undefined,
    })
    return {
      attempts: attempts.map((a) => ({
        id: a.id,
        kind: a.kind,
        key: a.key,
        subject: a.subject,
        status: a.status,
        // What the operator has to do, in their language; `detail` is the technical cause.
        message: a.status === 'needs_review' ? interruptedMessage(a.kind, lang) : null,
        detail: a.detail,
        result: a.result,
        startedAt: a.startedAt,
        finishedAt: a.finishedAt,
      })),
    }
  }

  async resolve({ access, bouncer, request, response, params, tenant }: HttpContext) {
    await bouncer.with(SubmissionPolicy).authorize('changeStatus', access)
    const lang = requestLanguage(request)
    const id = String(params.id)
    const attempt = /^\d{1,9}$/.test(id) ? await externalAttempts.find(Number(id), tenant.id) : null
    if (!attempt) {
      return response.notFound({
        errors: [{ message: lang === 'en' ? 'Attempt not found.' : 'Tentativo non trovato.' }],
      })
    }
    const parsed = parseResolution(request.body(), attempt.kind, lang)
    if (!parsed.ok) return response.unprocessableEntity({ errors: parsed.errors })
    try {
      await resolveAttempt(attempt, parsed.value, tenant.ref)
    } catch (error) {
      if (!(error instanceof AttemptNotUnderReviewError)) throw error
      return response.conflict({ errors: [{ path: '/outcome', rule: 'state', message: error.messages[lang] }] })
    }
    return { attempt: await externalAttempts.find(attempt.id, tenant.id) }
  }
}
