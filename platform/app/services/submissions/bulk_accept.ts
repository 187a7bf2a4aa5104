import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import BulkAction from '#models/bulk_action'
import BulkActionItem from '#models/bulk_action_item'
import Submission from '#models/submission'
import User from '#models/user'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext, type TenantRef } from '#services/infrastructure/request_context'
import { TransitionError, submissionService } from '#services/submissions/submission_service'
import type { JobDefinition } from '#queue/types'
import type { BulkActionDto } from '#shared/contract'
import type { Lang } from '#forms/types'

/**
 * Accepting a selection of applications at once (Allegato A, "Portale di BackOffice"), as a job
 * the operator follows with a progress bar.
 *
 * Nothing asked is lost: the request, one item per application and the job are written in one
 * transaction, so either all exist or the operator got an error. Each application is accepted at
 * most once: an item is marked done in the transaction that accepts its application (and enrols
 * the child), so a job run again after a crash takes up only the items still pending; and the
 * acceptance itself re-reads the application under lock, so two selections naming the same one
 * accept it once (the second item fails, saying it is already accepted). An item that cannot be
 * accepted (not yet protocolled, rejected, an error of its service) fails alone, with the reason
 * in Italian and English, and the others go on.
 */
export const BULK_ACCEPT_JOB = 'platform.bulk-accept'
export const MAX_BULK_ITEMS = 500
/** Items read per round: the job's memory stays bounded whatever the selection. */
const SLICE = 50

const TEXT = {
  missing: {
    it: 'La domanda non esiste più.',
    en: 'The application no longer exists.',
  },
  unexpected: {
    it: "Errore imprevisto durante l'accettazione: apri la domanda e accettala dalla sua pagina.",
    en: 'Unexpected error while accepting: open the application and accept it from its page.',
  },
}

/** Writes the request, its items and its job together; answers the action as written. */
export async function requestBulkAccept(tenant: TenantRef, userId: number, submissionIds: number[]) {
  return db.transaction(async (trx) => {
    const action = await BulkAction.create(
      { kind: 'accept', status: 'queued', total: submissionIds.length, requestedByUserId: userId, finishedAt: null },
      { client: trx }
    )
    await BulkActionItem.createMany(
      submissionIds.map((submissionId) => ({
        bulkActionId: action.id,
        submissionId,
        status: 'pending' as const,
        error: null,
        finishedAt: null,
      })),
      { client: trx }
    )
    await jobQueue().enqueue(
      BULK_ACCEPT_JOB,
      { bulkActionId: action.id },
      { jobId: `bulk-accept:${tenant.id}:${action.id}`, tenant, client: trx }
    )
    return action
  })
}

async function fail(item: BulkActionItem, error: Record<Lang, string>) {
  item.status = 'failed'
  item.error = error
  item.finishedAt = DateTime.now()
  await item.save()
}

async function acceptOne(item: BulkActionItem, userId: number) {
  const submission = await Submission.find(item.submissionId)
  if (!submission) return fail(item, TEXT.missing)
  try {
    await submissionService.changeStatus(submission, 'accepted', null, userId, {
      alsoInTransaction: async (trx) => {
        item.useTransaction(trx)
        item.status = 'done'
        item.finishedAt = DateTime.now()
        await item.save()
      },
    })
  } catch (error) {
    // The transaction rolled back: the item is pending again in the database, and fails here.
    const fresh = await BulkActionItem.findOrFail(item.id)
    if (error instanceof TransitionError) return fail(fresh, error.messages)
    await fail(fresh, TEXT.unexpected)
    throw error
  }
}

export const bulkAcceptJob: JobDefinition<{ bulkActionId: number }> = {
  async handle({ bulkActionId }, job) {
    const action = await BulkAction.find(bulkActionId)
    if (!action || action.status === 'done') return
    const user = await User.find(action.requestedByUserId)
    if (action.status === 'queued') {
      action.status = 'running'
      await action.save()
    }
    // The operator who asked is the actor of each acceptance, in the history and the audit log.
    const actor = { userId: action.requestedByUserId, label: user?.email ?? `user:${action.requestedByUserId}` }
    const tenant = job.tenant!
    const tried = new Set<number>()
    for (;;) {
      const items = await BulkActionItem.query()
        .where('bulk_action_id', action.id)
        .where('status', 'pending')
        .orderBy('id', 'asc')
        .limit(SLICE)
      if (items.length === 0) break
      // An item tried in this run and still pending: its outcome could not be written (the
      // database is away). The job fails and the queue runs it again later, from that item.
      if (items.some((i) => tried.has(i.id))) throw new Error(`bulk accept ${action.id}: outcome not recorded`)
      for (const item of items) {
        tried.add(item.id)
        try {
          await RequestContext.run({ tenant, actor }, () => acceptOne(item, action.requestedByUserId))
        } catch (error) {
          // Recorded on the item; the others go on.
          job.log(`bulk accept ${action.id}: submission ${item.submissionId} failed: ${String(error)}`)
        }
      }
    }
    action.status = 'done'
    action.finishedAt = DateTime.now()
    await action.save()
  },
}

/** The action with its progress and, for the items that failed, why; in the reader's language. */
export async function presentBulkAction(action: BulkAction, lang: Lang): Promise<BulkActionDto> {
  const items = await BulkActionItem.query()
    .where('bulk_action_id', action.id)
    .select('submission_id', 'status', 'error')
    .orderBy('id', 'asc')
  const count = (status: string) => items.filter((i) => i.status === status).length
  return {
    id: action.id,
    kind: action.kind,
    status: action.status,
    total: action.total,
    done: count('done'),
    failed: count('failed'),
    pending: count('pending'),
    createdAt: action.createdAt.toISO()!,
    finishedAt: action.finishedAt?.toISO() ?? null,
    items: items.map((i) => ({
      submissionId: i.submissionId,
      status: i.status,
      message: i.error ? i.error[lang] : null,
    })),
  }
}
