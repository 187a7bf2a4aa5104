import { createHash, randomBytes } from 'node:crypto'
import { mkdir, unlink, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { LocalizedError, texts } from '#i18n/catalogue'
import Attachment from '#models/attachment'
import Document from '#models/document'
import FormVersion from '#models/form_version'
import type Submission from '#models/submission'
import { isValidDate } from '#forms/codice_fiscale'
import { forbiddenCharacter } from '#forms/field_rules'
import { getAt, isPlainObject } from '#forms/json_pointer'
import type { AttachmentRule } from '#forms/types'
import { currentDataCipher } from '#services/infrastructure/data_cipher'
import { RequestContext } from '#services/infrastructure/request_context'
import { attachmentContext, sniffType, storagePath } from '#services/submissions/attachment_service'
import { childInData, childKey } from '#services/submissions/child_identity'
import { SettingsError } from '#services/tenants/settings_error'
import {
  DOCUMENT_RETENTION_DEFAULTS,
  DOCUMENT_TYPES,
  type DocumentDto,
  type DocumentType,
  type DocumentValidity,
} from '#shared/contract'

/**
 * The documents the offices keep for a person (Allegato A, "gestione anagrafica"): identity
 * documents, L. 104/92 certifications, foster care decrees, medical diet certificates, others.
 *
 * The bytes are an `attachments` row like any uploaded file: encrypted at rest with the data key
 * ring, renewed by `data:reencrypt`, exported with the tenant. Files uploaded by the offices carry
 * the form key DOCUMENT_FORM_KEY, which no form has, so no application can refer to them; files
 * filed from an application on its acceptance stay the application's own as well.
 */
export const DOCUMENT_FORM_KEY = '_documents'
/** Scans of certificates: a few pages at office resolution fit well within 10 MB. */
export const DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
export const DOCUMENT_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const
/** A document expiring within this many days is flagged as expiring. */
export const EXPIRING_WITHIN_DAYS = 30
const NOTES_MAX = 1000

/** Types that always have an expiry date: an identity document states one (DPR 445/2000, art. 35). */
const EXPIRY_REQUIRED: ReadonlySet<DocumentType> = new Set(['identity'])

export function isDocumentType(value: unknown): value is DocumentType {
  return typeof value === 'string' && (DOCUMENT_TYPES as readonly string[]).includes(value)
}

export interface DocumentFields {
  type: DocumentType
  issuedOn: string | null
  expiresOn: string | null
  notes: string | null
}

const refused = (key: Parameters<typeof texts>[0], path?: string, params?: Record<string, string | number>) =>
  new LocalizedError(422, texts(key, params), `document:${key.split('.')[1]}`, path)

/** The fields of a new document, from a multipart body's text parts; throws a LocalizedError at the first fault. */
export function parseDocumentFields(input: Record<string, unknown>): DocumentFields {
  for (const key of Object.keys(input)) {
    if (!['type', 'issued_on', 'expires_on', 'notes', 'person_id', 'enrolment_id'].includes(key)) {
      throw refused('document.unknownField', `/${key}`, { name: key.slice(0, 40) })
    }
  }
  if (!isDocumentType(input.type)) throw refused('document.type', '/type', { types: DOCUMENT_TYPES.join(', ') })
  const date = (field: 'issued_on' | 'expires_on') => {
    const value = input[field]
    if (value === undefined || value === null || value === '') return null
    if (!isValidDate(value)) throw refused('document.date', `/${field}`, { field })
    return value as string
  }
  const issuedOn = date('issued_on')
  const expiresOn = date('expires_on')
  if (!expiresOn && EXPIRY_REQUIRED.has(input.type)) throw refused('document.expiryRequired', '/expires_on')
  if (issuedOn && expiresOn && expiresOn < issuedOn) throw refused('document.expiryBeforeIssue', '/expires_on')
  let notes: string | null = null
  if (input.notes !== undefined && input.notes !== null && input.notes !== '') {
    const text = typeof input.notes === 'string' ? input.notes.trim() : ''
    if (text.length > NOTES_MAX || forbiddenCharacter(text.replace(/[\r\n\t]/g, ' '))) {
      throw refused('document.notes', '/notes')
    }
    notes = text || null
  }
  return { type: input.type, issuedOn, expiresOn, notes }
}

/**
 * A change of a kept document (`PATCH`): what the body names replaces the current value (`null` or
 * "" empties a date or the notes), and the result is checked as a new document would be.
 */
export function parseDocumentChange(input: Record<string, unknown>, current: Document): DocumentFields {
  for (const key of Object.keys(input)) {
    if (!['type', 'issued_on', 'expires_on', 'notes'].includes(key)) {
      throw refused('document.unknownField', `/${key}`, { name: key.slice(0, 40) })
    }
  }
  const pick = (key: string, value: unknown) => (Object.hasOwn(input, key) ? input[key] : value)
  return parseDocumentFields({
    type: pick('type', current.type),
    issued_on: pick('issued_on', current.issuedOn),
    expires_on: pick('expires_on', current.expiresOn),
    notes: pick('notes', current.notes),
  })
}

/** Checks the bytes of an upload: not empty, within DOCUMENT_MAX_BYTES, a PDF, JPEG or PNG by its content. */
export function checkDocumentFile(bytes: Buffer): string {
  if (bytes.length === 0) throw refused('document.empty', '/file')
  if (bytes.length > DOCUMENT_MAX_BYTES) {
    throw new LocalizedError(
      413,
      texts('document.size', { mb: DOCUMENT_MAX_BYTES / 1048576 }),
      'document:size',
      '/file'
    )
  }
  const type = sniffType(bytes)
  if (!type || !(DOCUMENT_CONTENT_TYPES as readonly string[]).includes(type))
    throw refused('document.fileType', '/file')
  return type
}

/** A name safe to keep and to send back: letters, digits and a few marks; at most 200 characters. */
function safeName(name: string) {
  return name.replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(0, 200) || 'documento'
}

/**
 * Stores an upload for a person: the file encrypted in the attachment store, its attachment row
 * and the document in one transaction (each audited as the current user). The file is written
 * first and removed again if the rows are not committed.
 */
export async function storeDocument(input: {
  tenantId: number
  userId: number
  subjectFiscalCode: string
  fields: DocumentFields
  fileName: string
  bytes: Buffer
}): Promise<{ document: Document; attachment: Attachment }> {
  const contentType = checkDocumentFile(input.bytes)
  const fileId = randomBytes(18).toString('base64url')
  const path = storagePath(input.tenantId, fileId)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, currentDataCipher().encryptFile(input.bytes, attachmentContext(input.tenantId, fileId)), {
    flag: 'wx',
  })
  try {
    return await db.transaction(async (trx) => {
      const attachment = await Attachment.create(
        {
          fileId,
          uploadedByUserId: input.userId,
          formKey: DOCUMENT_FORM_KEY,
          fieldPath: `/${input.fields.type}`,
          submissionId: null,
          fileName: safeName(input.fileName),
          contentType,
          sizeBytes: input.bytes.length,
          sha256: createHash('sha256').update(input.bytes).digest('hex'),
        },
        { client: trx }
      )
      const document = await Document.create(
        {
          type: input.fields.type,
          subjectFiscalCode: input.subjectFiscalCode,
          attachmentId: attachment.id,
          submissionId: null,
          issuedOn: input.fields.issuedOn,
          expiresOn: input.fields.expiresOn,
          notes: input.fields.notes,
          uploadedByUserId: input.userId,
        },
        { client: trx }
      )
      return { document, attachment }
    })
  } catch (error) {
    await unlink(path).catch(() => {})
    throw error
  }
}

/**
 * Deletes a document with its reason (in the audit entry of the deletion). A file the offices
 * uploaded goes with it, row and bytes; a file filed from an application stays, as part of it.
 */
export async function deleteDocument(document: Document, reason: string) {
  const attachment = await Attachment.find(document.attachmentId)
  const removesFile = !!attachment && attachment.formKey === DOCUMENT_FORM_KEY && attachment.submissionId === null
  await db.transaction(async (trx) => {
    document.useTransaction(trx)
    document.deletionReason = reason
    await document.delete()
    if (removesFile && attachment) {
      attachment.useTransaction(trx)
      await attachment.delete()
      try {
        await unlink(storagePath(attachment.tenantId, attachment.fileId))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      }
    }
  })
}

/** Where a document stands against its expiry on `today` (YYYY-MM-DD). */
export function validityOf(expiresOn: string | null, today: string): DocumentValidity {
  if (!expiresOn) return 'no_expiry'
  if (expiresOn < today) return 'expired'
  const soon = DateTime.fromISO(today).plus({ days: EXPIRING_WITHIN_DAYS }).toISODate()!
  return expiresOn <= soon ? 'expiring' : 'valid'
}

export function presentDocument(document: Document, attachment: Attachment | undefined, today: string): DocumentDto {
  return {
    id: document.id,
    type: document.type,
    issuedOn: document.issuedOn,
    expiresOn: document.expiresOn,
    validity: validityOf(document.expiresOn, today),
    notes: document.notes,
    fileName: attachment?.fileName ?? '',
    contentType: attachment?.contentType ?? 'application/octet-stream',
    sizeBytes: attachment?.sizeBytes ?? 0,
    submissionId: document.submissionId,
    createdAt: document.createdAt.toUTC().toISO()!,
  }
}

/** Italian date of today (the offices' calendar), YYYY-MM-DD. */
export function todayInItaly(now: DateTime = DateTime.now()) {
  return now.setZone('Europe/Rome').toISODate()!
}

/**
 * On acceptance, in the transaction of the move: the application's files whose field names a
 * document type in the form (`attachments[pointer].document_type`, e.g. the medical diet
 * certificate of the canteen form) are filed among the child's documents, or those of the person
 * whose codice fiscale is at `document_of` (the payer's identity document), so the register and
 * the people pages show them. Once per file (unique attachment id), whatever happens to the move later.
 */
export async function fileSubmissionDocuments(trx: TransactionClientContract, submission: Submission) {
  const version = await FormVersion.query({ client: trx }).where('id', submission.formVersionId).first()
  const rules = (isPlainObject(version?.definition?.attachments) ? version!.definition.attachments : {}) as Record<
    string,
    AttachmentRule & { document_type?: unknown; document_of?: unknown }
  >
  const typed = Object.entries(rules).filter(([, rule]) => isDocumentType(rule?.document_type))
  if (typed.length === 0) return []
  const data = submission.data ?? {}
  // Whose document: the person whose codice fiscale is at `document_of` (e.g. the payer's identity
  // document), else the child. An unborn child has no codice fiscale yet: the offices add its
  // documents later.
  const child = childInData(data)?.key ?? null
  const subjectOf = (rule: { document_of?: unknown }) =>
    typeof rule.document_of === 'string' ? childKey(getAt(data, rule.document_of)) : child
  const attachments = await Attachment.query({ client: trx }).where('submission_id', submission.id).orderBy('id')
  const filed = new Set(
    (
      await Document.query({ client: trx })
        .whereIn(
          'attachment_id',
          attachments.map((a) => a.id)
        )
        .select('attachment_id')
    ).map((d) => d.attachmentId)
  )
  const created: Document[] = []
  for (const attachment of attachments) {
    const rule = Object.hasOwn(rules, attachment.fieldPath) ? rules[attachment.fieldPath] : undefined
    if (!rule || !isDocumentType(rule.document_type) || filed.has(attachment.id)) continue
    const subject = subjectOf(rule)
    if (!subject) continue
    created.push(
      await Document.create(
        {
          type: rule.document_type,
          subjectFiscalCode: subject,
          attachmentId: attachment.id,
          submissionId: submission.id,
          issuedOn: null,
          expiresOn: null,
          notes: null,
          uploadedByUserId: attachment.uploadedByUserId,
        },
        { client: trx }
      )
    )
  }
  return created
}

/**
 * How long documents are kept (GDPR art. 5(1)(e)), per type, in days after the document's expiry
 * or, for one without an expiry date, after it was filed. Defaults when a tenant sets nothing: a
 * year for identity documents, medical diet certificates and others (renewed every school year),
 * five years for L. 104/92 certifications and foster care decrees, which support fee reductions
 * that may be checked for years after. A tenant sets `settings.documents.retention_days`.
 */
export const DEFAULT_DOCUMENT_RETENTION = DOCUMENT_RETENTION_DEFAULTS
const MAX_RETENTION_DAYS = 3650

export class DocumentSettingsError extends SettingsError {
  constructor(at: readonly string[]) {
    super('documents', at, texts('document.settings', { types: DOCUMENT_TYPES.join(', '), max: MAX_RETENTION_DAYS }))
    this.name = 'DocumentSettingsError'
  }
}

/** Reads and checks `settings.documents`; the error names the field at fault. */
export function parseDocumentSettings(value: unknown): { retentionDays: Record<DocumentType, number> } {
  const retentionDays = { ...DEFAULT_DOCUMENT_RETENTION }
  if (value === undefined || value === null) return { retentionDays }
  if (!isPlainObject(value)) throw new DocumentSettingsError([])
  for (const [key, days] of Object.entries(value)) {
    if (key !== 'retention_days' || !isPlainObject(days)) throw new DocumentSettingsError([key])
    for (const [type, n] of Object.entries(days)) {
      if (!isDocumentType(type) || !Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_RETENTION_DAYS) {
        throw new DocumentSettingsError([key, type])
      }
      retentionDays[type] = n as number
    }
  }
  return { retentionDays }
}

/**
 * Deletes the documents of the current context's tenant whose retention has run out on `now`
 * (each with its audit entry, the reason "retention"). Dry, only counts them.
 */
export async function cleanupTenantDocuments(
  settings: unknown,
  options: { now?: DateTime; dryRun?: boolean } = {}
): Promise<{ count: number; byType: Partial<Record<DocumentType, number>> }> {
  const ref = RequestContext.tenant()
  if (!ref) throw new Error('cleanupTenantDocuments needs a tenant in context')
  const { retentionDays } = parseDocumentSettings(settings)
  const now = options.now ?? DateTime.now()
  const byType: Partial<Record<DocumentType, number>> = {}
  let count = 0
  for (const type of DOCUMENT_TYPES) {
    const limit = now.minus({ days: retentionDays[type] })
    const lastDay = todayInItaly(limit)
    // Expired before the limit, or without expiry and filed before it (compared here: timestamps are
    // stored differently by the two engines).
    const expired = await Document.query()
      .where('type', type)
      .whereNotNull('expires_on')
      .where('expires_on', '<', lastDay)
      .orderBy('id')
    const undated = (await Document.query().where('type', type).whereNull('expires_on').orderBy('id')).filter(
      (d) => d.createdAt < limit
    )
    for (const document of [...expired, ...undated]) {
      count++
      byType[type] = (byType[type] ?? 0) + 1
      if (!options.dryRun) await deleteDocument(document, 'retention')
    }
  }
  return { count, byType }
}
