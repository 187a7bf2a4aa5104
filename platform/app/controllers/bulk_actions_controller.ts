import type { HttpContext } from '@adonisjs/core/http'
import BulkAction from '#models/bulk_action'
import Submission from '#models/submission'
import SubmissionPolicy from '#policies/submission_policy'
import { requestLanguage } from '#services/infrastructure/request_language'
import { MAX_BULK_ITEMS, presentBulkAction, requestBulkAccept } from '#services/submissions/bulk_accept'
import { isPlainObject } from '#forms/json_pointer'
import type { FormError, Lang } from '#forms/types'

const TEXT = {
  body: {
    it: `Il corpo deve essere { "submission_ids": [...] }, da 1 a ${MAX_BULK_ITEMS} numeri di domanda diversi.`,
    en: `The body must be { "submission_ids": [...] }, 1 to ${MAX_BULK_ITEMS} distinct application numbers.`,
  },
  unknown: (ids: number[]) => ({
    it: `Domande non trovate: ${ids.join(', ')}. Aggiorna l'elenco e seleziona di nuovo.`,
    en: `Applications not found: ${ids.join(', ')}. Reload the list and select again.`,
  }),
  notFound: { it: 'Operazione non trovata.', en: 'Action not found.' },
}

/** The back office's actions on a selection of applications: accept them all, as a job. */
export default class BulkActionsController {
  /** `POST /inbox/bulk-accept` `{ submission_ids }`: 202 with the action, its progress read at `GET /inbox/bulk/:id`. */
  async accept(ctx: HttpContext) {
    const { bouncer, access, request, response, auth, tenant } = ctx
    await bouncer.with(SubmissionPolicy).authorize('changeStatus', access)
    const lang = requestLanguage(request)
    const parsed = parseIds(request.body(), lang)
    if (!parsed.ok) return response.unprocessableEntity({ errors: parsed.errors })
    const ids = parsed.ids
    // Only this tenant's applications are found (tenant scope); drafts are the citizen's own.
    const found = await Submission.query().whereIn('id', ids).whereNot('status', 'draft').select('id')
    const known = new Set(found.map((s) => s.id))
    const missing = ids.filter((id) => !known.has(id))
    if (missing.length) {
      return response.unprocessableEntity({
        errors: [{ path: '/submission_ids', rule: 'request:submission_ids', message: TEXT.unknown(missing)[lang] }],
      })
    }
    const action = await requestBulkAccept(tenant.ref, auth.getUserOrFail().id, ids)
    return response.accepted({ action: await presentBulkAction(action, lang) })
  }

  /** `GET /inbox/bulk/:id`: how far the action is, and why the items that failed did. */
  async show(ctx: HttpContext) {
    const { bouncer, access, request, response, params } = ctx
    await bouncer.with(SubmissionPolicy).authorize('changeStatus', access)
    const lang = requestLanguage(request)
    const id = String(params.id)
    const action = /^\d{1,9}$/.test(id) ? await BulkAction.find(Number(id)) : null
    if (!action) return response.notFound({ errors: [{ message: TEXT.notFound[lang] }] })
    return { action: await presentBulkAction(action, lang) }
  }
}

function parseIds(body: unknown, lang: Lang): { ok: true; ids: number[] } | { ok: false; errors: FormError[] } {
  const refuse = {
    ok: false as const,
    errors: [{ path: '/submission_ids', rule: 'request:submission_ids', message: TEXT.body[lang] }],
  }
  if (!isPlainObject(body) || Object.keys(body).some((k) => k !== 'submission_ids')) return refuse
  const ids = body.submission_ids
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_BULK_ITEMS) return refuse
  if (!ids.every((id) => Number.isInteger(id) && id > 0 && id < 1e9)) return refuse
  const distinct = [...new Set(ids as number[])]
  if (distinct.length !== ids.length) return refuse
  return { ok: true, ids: distinct }
}
