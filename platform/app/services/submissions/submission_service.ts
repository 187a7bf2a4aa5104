import { checkReferences, linkToSubmission } from '#services/submissions/attachment_service'
import { jobQueue } from '#queue/queue_factory'
import type { AlongsideWrite } from '#queue/types'
import { RequestContext } from '#services/infrastructure/request_context'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { LucidModel, ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import { DateTime } from 'luxon'
import Submission, { type StoredWarning } from '#models/submission'
import { checkDuplicates } from '#services/submissions/duplicate_check'
import SubmissionEvent from '#models/submission_event'
import { createTogether } from '#models/create_together'
import { validateSubmission } from '#forms/validator'
import { normaliseFormData } from '#shared/normalise'
import { validateWithCatalog } from '#services/tenants/school_catalog_service'
import type { FormError, Lang } from '#forms/types'
import type { CurrentForm } from '#services/definitions/form_service'
import { statusList, submissionStatusLabel } from '#shared/status_labels'
import { lateFilingNote, windowRefusal, type WindowDecision } from '#services/enrolments/enrolment_windows'
import { EDITABLE_STATUSES, SUBMISSION_STATUSES, type SubmissionStatus } from '#shared/contract'
import { announceSubmissionMove } from '#events/platform_events'
import { indexForSearch } from '#services/submissions/submission_search'
import { fileSubmissionDocuments } from '#services/documents/document_service'
import { applicantFactsFor } from '#services/submissions/applicant_facts'

/**
 * The life of a submission, and the only place its status changes.
 *
 *   draft ──submit──▶ submitted ──▶ protocolled ──▶ accepted | rejected | needs_completion
 *                        ▲                                                │
 *                        └──────────────── submit (completed) ◀───────────┘
 *
 * Entering `submitted` always goes through `submit`, which runs the full
 * validation; the back office moves a submission only along the other arrows.
 */
// Shared with the portal (platform/shared/contract.ts), which labels each status for citizens.
export const STATUSES = SUBMISSION_STATUSES
export type { SubmissionStatus }

export const TRANSITIONS: Readonly<Record<SubmissionStatus, readonly SubmissionStatus[]>> = {
  draft: ['submitted'],
  submitted: ['protocolled'],
  protocolled: ['accepted', 'rejected', 'needs_completion'],
  needs_completion: ['submitted'],
  accepted: [],
  rejected: [],
}

/** The citizen must be told why: a refusal or a request to complete carries a reason. */
const REASON_REQUIRED: ReadonlySet<SubmissionStatus> = new Set(['rejected', 'needs_completion'])
/** Statuses in which the citizen (or the operator with procura) may still change the data. */
const EDITABLE: ReadonlySet<SubmissionStatus> = new Set(EDITABLE_STATUSES)
export const REASON_MAX_LENGTH = 2000

export function isStatus(value: unknown): value is SubmissionStatus {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value)
}

export function isEditable(submission: Submission) {
  return EDITABLE.has(submission.status)
}

/** A refused status change, worded for the person who asked for it. */
export class TransitionError extends Error {
  readonly status = 422
  constructor(readonly messages: Record<Lang, string>) {
    super(messages.en)
  }
}

/** What a check before sending answers: the refusal a sending would get, or the warnings it would carry. */
export type Checked = { ok: true; warnings: StoredWarning[] | null } | { ok: false; errors: FormError[] }

export type Outcome =
  | {
      ok: true
      submission: Submission
      warnings?: StoredWarning[] | null
      /** The whole history and the form version's number, when the change knows them (a new submission). */
      history?: SubmissionEvent[]
      formVersion?: number
    }
  | { ok: false; errors: FormError[] }

function checkTransition(from: SubmissionStatus, to: SubmissionStatus, reason: string | null) {
  const label = (status: SubmissionStatus, lang: Lang) => submissionStatusLabel(status, lang)
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from]
    throw new TransitionError({
      it: `Una domanda ${label(from, 'it')} non può diventare ${label(to, 'it')}: ${
        allowed.length ? `da qui può diventare solo ${statusList(allowed, 'it')}` : 'il suo stato è definitivo'
      }.`,
      en: `A submission that is ${label(from, 'en')} cannot become ${label(to, 'en')}: ${
        allowed.length ? `from here it can only become ${statusList(allowed, 'en')}` : 'its status is final'
      }.`,
    })
  }
  if (REASON_REQUIRED.has(to) && !reason) {
    throw new TransitionError({
      it: `Indica il motivo: per una domanda ${label(to, 'it')} è obbligatorio e viene mostrato al cittadino.`,
      en: `Give a reason: it is required for a submission ${label(to, 'en')} and shown to the citizen.`,
    })
  }
}

/**
 * The form's enrolment window when the submission is sent, and whether the
 * actor is staff who may take a late application at the counter (procura).
 */
export type SendingWindow = { decision: WindowDecision; staffMayFileLate: boolean }

/** One step of a submission's status history. */
type Move = { from: SubmissionStatus | null; to: SubmissionStatus; reason: string | null }

type NewSubmission = {
  data: Record<string, unknown>
  applicantUserId: number
  actorUserId: number
  window?: SendingWindow
}

/**
 * A first sending outside the window: refused for the citizen; allowed to staff
 * filing on someone else's behalf, with a note kept in the history and the audit log.
 * Drafts are never checked, and neither is a resubmission after a request to
 * complete: that application was sent in time.
 */
function checkWindow(
  window: SendingWindow | undefined,
  onBehalf: boolean,
  lang: Lang
): { ok: true; note: string | null } | { ok: false; errors: FormError[] } {
  if (!window || window.decision.open) return { ok: true, note: null }
  if (window.staffMayFileLate && onBehalf) return { ok: true, note: lateFilingNote(window.decision) }
  return {
    ok: false,
    errors: [{ path: '', rule: `window:${window.decision.state}`, message: windowRefusal(window.decision, lang) }],
  }
}

/** A row's update, and the model's preparation of values for its columns (not in Lucid's types). */
type GuardedRow = {
  $getQueryFor(
    action: 'update' | 'delete' | 'refresh',
    client: QueryClientContract
  ): ModelQueryBuilderContract<LucidModel>
  prepareForAdapter(attributes: Record<string, unknown>): Record<string, unknown>
}

/** A row's update found it changed since the caller read it (#moveAsRead): nothing was written. */
class ChangedSinceRead extends Error {}

type MoveChanges = {
  protocolNumber?: string
  alsoInTransaction?: (trx: TransactionClientContract, row: Submission) => Promise<void>
}

export class SubmissionService {
  /** Saves a new draft after the draft check (shapes and sizes only); nothing is stored if it fails. */
  async createDraft(current: CurrentForm, input: NewSubmission, lang: Lang): Promise<Outcome> {
    return this.#create(current, input, lang, false)
  }

  /** Replaces the data of a draft (or of a submission sent back for completion) after the draft check. */
  async updateDraft(
    submission: Submission,
    current: CurrentForm,
    data: Record<string, unknown>,
    actorUserId: number,
    lang: Lang
  ): Promise<Outcome> {
    if (!isEditable(submission)) throw notEditable(submission.status)
    data = normaliseFormData(current.definition.schema, data)
    const check = validateSubmission(current.definition, data, { lang, partial: true })
    if (!check.valid) return { ok: false, errors: check.errors }
    const saved = await db.transaction(async (trx) => {
      const row = await this.#lock(trx, submission)
      if (!isEditable(row)) throw notEditable(row.status)
      row.data = data
      row.formVersionId = current.version.id
      row.submittedByUserId = actorUserId
      row.onBehalf = row.applicantUserId !== actorUserId
      await row.save()
      return row
    })
    return { ok: true, submission: saved }
  }

  /**
   * Full validation on the form version in force, then `submitted`. Every
   * violation comes back at once; when there is any, nothing changes.
   * The version used is recorded, so the submission can always be read
   * against the form it was made on.
   */
  async submit(
    submission: Submission,
    current: CurrentForm,
    actorUserId: number,
    lang: Lang,
    data: Record<string, unknown> = submission.data,
    window?: SendingWindow
  ): Promise<Outcome> {
    if (!isEditable(submission)) checkTransition(submission.status, 'submitted', null)
    const firstSending = submission.status === 'draft'
    const timing = checkWindow(firstSending ? window : undefined, submission.applicantUserId !== actorUserId, lang)
    if (!timing.ok) return timing
    data = normaliseFormData(current.definition.schema, data)
    const facts = await applicantFactsFor(current, submission.applicantUserId, lang)
    const check = await validateWithCatalog(current.definition, data, { lang, facts })
    const duplicates = await checkDuplicates(
      current.definition,
      current.form.key,
      data,
      submission.id,
      lang,
      current.form.service
    )
    const refused = [...check.errors, ...(duplicates.kind === 'refuse' ? duplicates.errors : [])]
    if (refused.length) return { ok: false, errors: refused }
    const files = await checkReferences(current.definition, data, [submission.applicantUserId, actorUserId], lang)
    if (files.errors.length) return { ok: false, errors: files.errors }
    const warnings = duplicates.kind === 'warn' ? duplicates.warnings : null
    const saved = await db.transaction(async (trx) => {
      const row = await this.#lock(trx, submission)
      checkTransition(row.status, 'submitted', null)
      const from = row.status
      row.data = data
      row.formVersionId = current.version.id
      row.submittedByUserId = actorUserId
      row.onBehalf = row.applicantUserId !== actorUserId
      row.status = 'submitted'
      row.statusReason = timing.note
      row.submittedAt = DateTime.now()
      // The receipt and its email speak the language of the sending (the operator's, for procura).
      row.lang = lang
      row.warnings = warnings
      await row.save()
      await this.#record(trx, row, [{ from, to: 'submitted', reason: timing.note }], actorUserId, {
        service: current.form.service,
      })
      await linkToSubmission(files.fileIds, row, trx)
      await enqueueReceipt(trx, row)
      return row
    })
    return { ok: true, submission: saved, warnings }
  }

  /** Creates and submits in one step (API clients); nothing is stored unless the submission is valid. */
  async createAndSubmit(current: CurrentForm, input: NewSubmission, lang: Lang): Promise<Outcome> {
    return this.#create(current, input, lang, true)
  }

  /**
   * Everything a sending checks (window, schema, BLOCCO, catalog, duplicates, documents), storing
   * nothing: what `createAndSubmit` would answer, so a client can check before sending.
   */
  async check(current: CurrentForm, given: NewSubmission, lang: Lang): Promise<Checked> {
    const prepared = await this.#prepare(current, given, lang, true)
    return prepared.ok ? { ok: true, warnings: prepared.warnings } : prepared
  }

  async #prepare(current: CurrentForm, given: NewSubmission, lang: Lang, submit: boolean) {
    // A lower-case codice fiscale, an IBAN with spaces: stored and checked in their canonical form.
    const input = { ...given, data: normaliseFormData(current.definition.schema, given.data) }
    const timing = submit
      ? checkWindow(input.window, input.applicantUserId !== input.actorUserId, lang)
      : ({ ok: true, note: null } as const)
    if (!timing.ok) return timing
    const facts = submit ? await applicantFactsFor(current, input.applicantUserId, lang) : undefined
    const check = await validateWithCatalog(current.definition, input.data, { lang, partial: !submit, facts })
    const duplicates = submit
      ? await checkDuplicates(current.definition, current.form.key, input.data, null, lang, current.form.service)
      : ({ kind: 'none' } as const)
    const refused = [...check.errors, ...(duplicates.kind === 'refuse' ? duplicates.errors : [])]
    if (refused.length) return { ok: false as const, errors: refused }
    const warnings = duplicates.kind === 'warn' ? duplicates.warnings : null
    const uploaders = [input.applicantUserId, input.actorUserId]
    const files = submit
      ? await checkReferences(current.definition, input.data, uploaders, lang)
      : { errors: [], fileIds: [] }
    if (files.errors.length) return { ok: false as const, errors: files.errors }
    return { ok: true as const, input, note: timing.note, warnings, fileIds: files.fileIds }
  }

  async #create(current: CurrentForm, given: NewSubmission, lang: Lang, submit: boolean): Promise<Outcome> {
    const prepared = await this.#prepare(current, given, lang, submit)
    if (!prepared.ok) return prepared
    const { input, warnings } = prepared
    const timing = { note: prepared.note }
    const files = { fileIds: prepared.fileIds }
    // One transaction: the row, its history, its files and the job that protocols it are stored
    // together or not at all.
    const history: SubmissionEvent[] = []
    const submission = await db.transaction(async (trx) => {
      history.length = 0
      const row = await Submission.create(
        {
          formId: current.form.id,
          formVersionId: current.version.id,
          formKey: current.form.key,
          applicantUserId: input.applicantUserId,
          submittedByUserId: input.actorUserId,
          onBehalf: input.applicantUserId !== input.actorUserId,
          status: submit ? 'submitted' : 'draft',
          statusReason: timing.note,
          data: input.data,
          protocolNumber: null,
          submittedAt: submit ? DateTime.now() : null,
          lang,
          warnings,
        },
        { client: trx }
      )
      // The row is new: its service is the form's, and it has no search terms to replace. A sending's
      // search terms and documents' link go with its job's row: one statement on PostgreSQL.
      const alongside: AlongsideWrite[] | undefined = submit ? [] : undefined
      const known = { service: current.form.service, fresh: true, alongside }
      // Created, then sent: both steps of the history in one statement.
      const moves: Move[] = [{ from: null, to: 'draft', reason: null }]
      if (submit) moves.push({ from: 'draft', to: 'submitted', reason: timing.note })
      history.push(...(await this.#record(trx, row, moves, input.actorUserId, known)))
      if (submit) {
        await linkToSubmission(files.fileIds, row, trx, alongside)
        await enqueueReceipt(trx, row, alongside)
      }
      return row
    })
    // What the answer shows is known without reading it back: the version sent on, and the history written.
    return { ok: true, submission, warnings, history, formVersion: current.version.version }
  }

  /**
   * Back-office moves (protocol, outcome, request to complete). `submitted` is reached only by
   * `submit`. `actorUserId` null: the platform itself (the protocol job).
   */
  async changeStatus(
    submission: Submission,
    to: SubmissionStatus,
    reason: string | null,
    actorUserId: number | null,
    changes: {
      protocolNumber?: string
      /** More work committed with the move or not at all (a bulk action's item marked done). */
      alsoInTransaction?: (trx: TransactionClientContract, row: Submission) => Promise<void>
      /**
       * The row was read by the caller a moment ago (the receipt job): moved as read when it is
       * still as read, else read again under a lock as any move (#moveAsRead).
       */
      asRead?: boolean
    } = {}
  ) {
    if (to === 'submitted' || to === 'draft') {
      throw new TransitionError({
        it: `Una domanda non diventa ${submissionStatusLabel(to, 'it')} dal back office: è il richiedente a inviarla (e viene validata) con /submit.`,
        en: `A submission does not become ${submissionStatusLabel(to, 'en')} from the back office: the applicant sends it (and it is validated) through /submit.`,
      })
    }
    // Acceptance enrols the child: `submission.accepted` goes out inside this transaction (#record),
    // and the service plugin's in-transaction subscriber writes the enrolment with the new status.
    return db.transaction(async (trx) => {
      if (changes.asRead) {
        const moved = await this.#moveAsRead(trx, submission, to, reason, actorUserId, changes)
        if (moved) return moved
      }
      const row = await this.#lock(trx, submission)
      checkTransition(row.status, to, reason)
      return this.#move(trx, row, to, reason, actorUserId, changes)
    })
  }

  async #move(
    trx: TransactionClientContract,
    row: Submission,
    to: SubmissionStatus,
    reason: string | null,
    actorUserId: number | null,
    changes: MoveChanges
  ) {
    const from = row.status
    row.status = to
    row.statusReason = reason
    if (changes.protocolNumber) row.protocolNumber = changes.protocolNumber
    await row.save()
    await this.#record(trx, row, [{ from, to, reason }], actorUserId)
    // The certificates and decrees it carries join the child's documents, with the move.
    if (to === 'accepted') await fileSubmissionDocuments(trx, row)
    if (changes.alsoInTransaction) await changes.alsoInTransaction(trx, row)
    return row
  }

  /**
   * The move of a row the caller read a moment ago, outside this transaction, without reading it
   * again: its update names the status and the last change it was read with, so it changes the row
   * only if nothing changed it since (a compare-and-set, atomic under PostgreSQL's row lock and
   * SQLite's single writer, and holding the row until the commit as the locking read would). When
   * the row did change, or its status as read does not allow the move, nothing is written (the
   * update changed no row, so no hook after it ran) and null sends the caller to the locking read.
   */
  async #moveAsRead(
    trx: TransactionClientContract,
    submission: Submission,
    to: SubmissionStatus,
    reason: string | null,
    actorUserId: number | null,
    changes: MoveChanges
  ) {
    try {
      checkTransition(submission.status, to, reason)
    } catch {
      return null
    }
    if (submission.$isDirty) return null
    // The model's own preparation of the two columns: the values as its writes store them.
    const instance = submission as unknown as GuardedRow
    const guard = instance.prepareForAdapter({
      status: submission.$original.status,
      updatedAt: submission.$original.updatedAt,
    })
    const asRead = { ...submission.$original }
    submission.useTransaction(trx)
    const queryFor = instance.$getQueryFor
    instance.$getQueryFor = (action, client) => {
      const query = queryFor.call(instance, action, client)
      if (action !== 'update') return query
      for (const [column, value] of Object.entries(guard)) {
        if (value === null || value === undefined) query.whereNull(column)
        else query.where(column, value as string)
      }
      const exec = query.exec.bind(query)
      query.exec = async () => {
        const result = await exec()
        if (Number((result as unknown[])[0]) === 0) throw new ChangedSinceRead()
        return result
      }
      return query
    }
    try {
      return await this.#move(trx, submission, to, reason, actorUserId, changes)
    } catch (error) {
      if (!(error instanceof ChangedSinceRead)) throw error
      // The caller's row back as it was read: the move is made on the row read again.
      submission.$attributes = { ...asRead }
      return null
    } finally {
      delete (instance as Partial<GuardedRow>).$getQueryFor
    }
  }

  /** Status history, oldest first. */
  async history(submission: Submission) {
    return SubmissionEvent.query().where('submission_id', submission.id).orderBy('id', 'asc')
  }

  /**
   * Re-reads the row inside the transaction, locked on PostgreSQL, so two
   * concurrent changes cannot both start from the same status. SQLite
   * serialises writers by itself and has no row locks.
   */
  async #lock(trx: TransactionClientContract, submission: Submission) {
    const query = Submission.query({ client: trx }).where('id', submission.id)
    if (trx.dialect.name === 'postgres') query.forUpdate()
    return query.firstOrFail()
  }

  /** Writes the history of one or more moves of `row` (one statement) and what each move sets off. */
  async #record(
    trx: TransactionClientContract,
    row: Submission,
    moves: Move[],
    userId: number | null,
    known: { service?: string; fresh?: boolean; alongside?: AlongsideWrite[] } = {}
  ) {
    const events = await createTogether(
      SubmissionEvent,
      moves.map(({ from, to, reason }) => ({
        tenantId: row.tenantId,
        submissionId: row.id,
        fromStatus: from,
        toStatus: to,
        reason,
        userId,
      })),
      trx
    )
    for (const { from, to } of moves) {
      // submission.submitted / accepted / rejected, in the transaction of the move.
      await announceSubmissionMove(trx, row, from, to, known.service)
      // Each sending is found by the back office's search (codice fiscale, names) with its data.
      if (to === 'submitted') await indexForSearch(trx, row, { fresh: known.fresh, alongside: known.alongside })
    }
    return events
  }
}

function notEditable(status: SubmissionStatus) {
  return new TransitionError({
    it: `La domanda è ${submissionStatusLabel(status, 'it')} e non si può più modificare.`,
    en: `The submission is ${submissionStatusLabel(status, 'en')} and can no longer be changed.`,
  })
}

/**
 * Protocol, receipt and email happen on the queue, after the commit: the
 * citizen's submission is safe even when the protocol system is down. The job
 * is written in the submission's own transaction, so a submission that was
 * answered 201 always has its job, even if the process dies right after the
 * commit, and a rolled-back one has none. Its identity (one per sending) makes
 * a retry or a second enqueue harmless.
 */
async function enqueueReceipt(
  trx: TransactionClientContract,
  submission: Submission,
  alongside: AlongsideWrite[] = []
) {
  const tenant = RequestContext.tenant()
  if (!tenant) {
    for (const write of alongside) await write
    return
  }
  await jobQueue().enqueue(
    SUBMISSION_RECEIPT_JOB,
    { submissionId: submission.id },
    // One job per sending: a resubmission after a request to complete is a new sending.
    {
      jobId: `receipt:${tenant.id}:${submission.id}:${submission.submittedAt?.toMillis()}`,
      tenant,
      client: trx,
      alongside,
    }
  )
}

export const SUBMISSION_RECEIPT_JOB = 'platform.submission-receipt'

export const submissionService = new SubmissionService()
