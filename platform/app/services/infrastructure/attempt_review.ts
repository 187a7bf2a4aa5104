import db from '@adonisjs/lucid/services/db'
import Submission from '#models/submission'
import { protocolLabel } from '#integrations/docarea/docarea_client'
import { jobQueue } from '#queue/queue_factory'
import { writeAudit } from '#services/infrastructure/audit_service'
import { externalAttempts, type AttemptRecord } from '#services/infrastructure/external_attempts'
import { SUBMISSION_RECEIPT_JOB } from '#services/submissions/submission_service'
import type { Resolution } from '#validators/attempt'
import type { TenantRef } from '#services/infrastructure/request_context'

/**
 * An operator's answer to an attempt flagged `needs_review`, after looking at
 * the other system:
 *
 * - protocol `registered` (with the number DOCAREA shows): the attempt is done
 *   with that number, and the submission's job runs again: it records the
 *   number in the local register, moves the submission to `protocolled` and
 *   emails the receipt. Nothing is sent to DOCAREA again.
 * - protocol `not_registered`: the attempt is cleared and the job runs again,
 *   registering the document.
 * - mail `sent`: the attempt is done; nothing else happens.
 * - mail `not_sent`: the attempt is cleared and the job runs again, sending it.
 *
 * The change, its audit entry and the job are written in one transaction.
 */
export async function resolveAttempt(attempt: AttemptRecord, resolution: Resolution, tenant: TenantRef) {
  await db.transaction(async (trx) => {
    const query = trx.from('external_attempts').where('id', attempt.id)
    if (trx.dialect.name === 'postgres') query.forUpdate()
    const row = await query.first()
    if (!row || row.status !== 'needs_review') throw new AttemptNotUnderReviewError()
    if (resolution.outcome === 'registered') {
      const { number, year, date } = resolution
      await externalAttempts.complete(
        attempt,
        { number, year, date, docId: 0, label: protocolLabel(year, number), resolvedBy: 'operator' },
        trx
      )
    } else if (resolution.outcome === 'sent') {
      await externalAttempts.complete(attempt, { sent: true, resolvedBy: 'operator' }, trx)
    } else {
      await trx.from('external_attempts').where('id', attempt.id).delete()
    }
    await writeAudit(trx, {
      tenantId: attempt.tenantId,
      action: 'attempt.resolve',
      entity: 'external_attempts',
      entityId: String(attempt.id),
      before: { status: 'needs_review' },
      after: { kind: attempt.kind, key: attempt.key, subject: attempt.subject, ...resolution },
    })
    if (resolution.outcome !== 'sent' && attempt.subject?.type === 'submission') {
      const submission = await Submission.query({ client: trx }).where('id', attempt.subject.id).first()
      if (submission && submission.tenantId === tenant.id) {
        await jobQueue().enqueue(
          SUBMISSION_RECEIPT_JOB,
          { submissionId: submission.id },
          {
            // A new job: the one that stopped has failed for good; this key is this review's.
            jobId: `receipt:${submission.tenantId}:${submission.id}:${submission.submittedAt?.toMillis()}:review:${attempt.id}`,
            tenant,
            client: trx,
          }
        )
      }
    }
  })
}

export class AttemptNotUnderReviewError extends Error {
  readonly messages = {
    it: 'Questo tentativo non è (più) in verifica: ricarica l’elenco.',
    en: 'This attempt is not (or no longer) under review: reload the list.',
  }
  constructor() {
    super('attempt not under review')
  }
}
