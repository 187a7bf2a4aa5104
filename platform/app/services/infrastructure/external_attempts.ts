import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { currentJobRun } from '#queue/run_job'
import { PermanentJobError } from '#queue/types'
import { writeAudit } from '#services/infrastructure/audit_service'

/**
 * Calls to outside systems that a retry could repeat (external_attempts).
 *
 * Some calls cannot be made idempotent by the other side: DOCAREA registers a
 * document again each time it is asked (it has no lookup by key), and an
 * email once accepted by the SMTP server stays sent. A job that makes such a
 * call records the attempt, committed, *before* calling (`begin`), and closes
 * it after (`complete`, or `abandon` when the call certainly did not happen).
 * What a retry finds tells it what happened to the run before it:
 *
 * - nothing, or an attempt abandoned: the call can be made;
 * - `done`: the call was made and recorded; nothing to do again;
 * - `pending`, begun by another run: that run stopped (its process died, or
 *   its lease ran out) between the record and its outcome, so the call may or
 *   may not have reached the other system. The retry does not call again: the
 *   attempt becomes `needs_review`, with an audit entry and a note in the
 *   submission's history, and the job stops (`NeedsReviewError`, no more
 *   retries). An operator finds it in `GET /api/v1/t/:tenant/attempts`, checks
 *   the other system, and resolves it (see `resolveAttempt`).
 *
 * A run is a job run (`JobRunContext.runId`): a run begins only after the
 * queue gave the job to it, which happens again only once the previous run
 * ended or lost its lease, so "pending under another run" always means an
 * interrupted run, never one still calling. Outside a job each call is its
 * own run.
 */
export type AttemptKind = 'protocol' | 'mail'
export type AttemptStatus = 'pending' | 'done' | 'needs_review'

export interface AttemptSubject {
  type: 'submission'
  id: number
}

export interface AttemptRecord {
  id: number
  tenantId: number | null
  kind: AttemptKind
  key: string
  subject: AttemptSubject | null
  status: AttemptStatus
  owner: string
  detail: string | null
  result: unknown
  startedAt: string
  finishedAt: string | null
}

type Messages = { it: string; en: string }

/** The attempt must be checked by a person before anything is done again: the job stops here. */
export class NeedsReviewError extends PermanentJobError {
  constructor(
    readonly attemptId: number,
    readonly messages: Messages
  ) {
    super(messages.en)
    this.name = 'NeedsReviewError'
  }
}

/** What the operator is told about an attempt interrupted in the middle, by kind. */
const INTERRUPTED: Record<AttemptKind, Messages> = {
  protocol: {
    it:
      'La registrazione al protocollo è stata interrotta dopo la richiesta al sistema di protocollo: ' +
      'potrebbe essere stata registrata. Verificare nel protocollo e risolvere indicando il numero, ' +
      'oppure confermare che non è stata registrata.',
    en:
      'The protocol registration was interrupted after the request to the protocol system: it may have ' +
      'been registered. Check the protocol system and resolve it with the number, or confirm it was not registered.',
  },
  mail: {
    it:
      "L'invio della ricevuta per email è stato interrotto durante la consegna al server di posta: " +
      'potrebbe essere partita. Verificare nel registro del server di posta e risolvere.',
    en:
      'Sending the receipt email was interrupted while handing it to the mail server: it may have left. ' +
      "Check the mail server's log and resolve it.",
  },
}

export function interruptedMessage(kind: AttemptKind, lang: 'it' | 'en') {
  return INTERRUPTED[kind][lang]
}

/** The note in the submission's history (read by the citizen too): in Italian, as the office writes. */
const HISTORY_NOTE: Record<AttemptKind, string> = {
  protocol: "Protocollazione in verifica da parte dell'ufficio.",
  mail: "Invio della ricevuta per email in verifica da parte dell'ufficio.",
}

function ownerNow() {
  return currentJobRun()?.runId ?? `call:${randomUUID()}`
}

function fromRow(row: Record<string, unknown>): AttemptRecord {
  const at = (value: unknown) => (value === null || value === undefined ? null : new Date(Number(value)).toISOString())
  return {
    id: Number(row.id),
    tenantId: row.tenant_id === null ? null : Number(row.tenant_id),
    kind: row.kind as AttemptKind,
    key: String(row.key),
    subject:
      row.subject_type === 'submission' && row.subject_id !== null
        ? { type: 'submission', id: Number(row.subject_id) }
        : null,
    status: row.status as AttemptStatus,
    owner: String(row.owner),
    detail: (row.detail as string | null) ?? null,
    result: row.result ? JSON.parse(String(row.result)) : null,
    startedAt: at(row.started_at)!,
    finishedAt: at(row.finished_at),
  }
}

export type BeginOutcome = { state: 'started'; attempt: AttemptRecord } | { state: 'done'; attempt: AttemptRecord }

export const externalAttempts = {
  /**
   * Records the attempt before the call, in its own committed transaction.
   * Answers `started` (make the call, then `complete` or `abandon` it) or `done`
   * (it was made already: use its result). Throws NeedsReviewError when an
   * earlier run was interrupted in the middle of it, or when it already waits
   * for an operator.
   */
  async begin(input: {
    kind: AttemptKind
    key: string
    tenantId: number | null
    subject?: AttemptSubject
  }): Promise<BeginOutcome> {
    const owner = ownerNow()
    const outcome = await db.transaction(async (trx) => {
      const query = trx.from('external_attempts').where({ kind: input.kind, key: input.key })
      if (trx.dialect.name === 'postgres') query.forUpdate()
      const existing = await query.first()
      if (!existing) {
        await trx
          .knexQuery()
          .table('external_attempts')
          .insert({
            tenant_id: input.tenantId,
            kind: input.kind,
            key: input.key,
            subject_type: input.subject?.type ?? null,
            subject_id: input.subject?.id ?? null,
            status: 'pending',
            owner,
            started_at: Date.now(),
          })
          // Two runs racing for a new key: the second inserts nothing and reads the first's row below.
          .onConflict(['kind', 'key'])
          .ignore()
        const row = await trx.from('external_attempts').where({ kind: input.kind, key: input.key }).first()
        const attempt = fromRow(row)
        return attempt.owner === owner ? ({ state: 'started', attempt } as const) : { state: 'busy' as const, attempt }
      }
      const attempt = fromRow(existing)
      if (attempt.status === 'done') return { state: 'done', attempt } as const
      if (attempt.status === 'needs_review') return { state: 'review', attempt } as const
      if (attempt.owner === owner) return { state: 'started', attempt } as const
      // Pending under another run: that run was interrupted between the record and the outcome.
      await markForReview(trx, attempt, INTERRUPTED[attempt.kind].en)
      return { state: 'review', attempt } as const
    })
    if (outcome.state === 'started' || outcome.state === 'done') return outcome
    if (outcome.state === 'busy') {
      // Another run began it a moment ago, inside the same instant: not ours to call, nor to judge yet.
      throw new Error(`${input.kind} ${input.key} is being attempted by another run; try again later`)
    }
    throw new NeedsReviewError(outcome.attempt.id, INTERRUPTED[outcome.attempt.kind])
  },

  /** The call succeeded: records its result (in `trx`, with what the caller writes about it, when given). */
  async complete(attempt: AttemptRecord, result: unknown, trx?: QueryClientContract) {
    await (trx ?? db.connection())
      .knexQuery()
      .from('external_attempts')
      .where('id', attempt.id)
      .update({
        status: 'done',
        result: result === undefined ? null : JSON.stringify(result),
        finished_at: Date.now(),
      })
  },

  /** The call certainly did not reach the other system (refused, or never sent): a retry may make it. */
  async abandon(attempt: AttemptRecord) {
    await db.from('external_attempts').where('id', attempt.id).where('status', 'pending').delete()
  },

  /**
   * The call failed in a way that leaves its effect unknown (a timeout after the
   * request left): flagged for an operator now rather than repeated later.
   */
  async flag(attempt: AttemptRecord, detail: string): Promise<never> {
    await db.transaction((trx) => markForReview(trx, attempt, detail))
    throw new NeedsReviewError(attempt.id, INTERRUPTED[attempt.kind])
  },

  async find(id: number, tenantId: number) {
    const row = await db.from('external_attempts').where({ id, tenant_id: tenantId }).first()
    return row ? fromRow(row) : null
  },

  /** A tenant's attempts, newest first (`status` narrows them: `needs_review` is the operator's list). */
  async list(tenantId: number, filter: { status?: AttemptStatus; kind?: AttemptKind } = {}) {
    const query = db.from('external_attempts').where('tenant_id', tenantId).orderBy('id', 'desc').limit(200)
    if (filter.status) query.where('status', filter.status)
    if (filter.kind) query.where('kind', filter.kind)
    return (await query).map(fromRow)
  },
}

/** needs_review, with an audit entry and, for a submission, a note in its history: all in one transaction. */
async function markForReview(trx: TransactionClientContract, attempt: AttemptRecord, detail: string) {
  await trx
    .from('external_attempts')
    .where('id', attempt.id)
    .update({ status: 'needs_review', detail: detail.slice(0, 2000), finished_at: Date.now() })
  await writeAudit(trx, {
    tenantId: attempt.tenantId,
    action: 'attempt.needs_review',
    entity: 'external_attempts',
    entityId: String(attempt.id),
    after: { kind: attempt.kind, key: attempt.key, subject: attempt.subject, detail: detail.slice(0, 500) },
  })
  if (attempt.subject?.type === 'submission' && attempt.tenantId !== null) {
    const submission = await trx.from('submissions').where('id', attempt.subject.id).select('status').first()
    if (submission) {
      await trx
        .insertQuery()
        .table('submission_events')
        .insert({
          tenant_id: attempt.tenantId,
          submission_id: attempt.subject.id,
          from_status: submission.status,
          to_status: submission.status,
          reason: HISTORY_NOTE[attempt.kind],
          user_id: null,
          created_at: DateTime.now().toFormat(trx.dialect.dateTimeFormat),
        })
    }
  }
}
