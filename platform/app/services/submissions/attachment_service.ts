import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { getAt } from '#forms/json_pointer'
import { fileKinds } from '#forms/messages'
import Attachment from '#models/attachment'
import type Submission from '#models/submission'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { AlongsideWrite } from '#queue/types'
import type { FormDefinition, FormError, Lang } from '#forms/types'
import { currentDataCipher } from '#services/infrastructure/data_cipher'
import { storageRoot } from '#services/infrastructure/storage_root'

/**
 * Files attached to form fields. The type is read from the content (magic
 * numbers), never from the name or the declared type, so a program renamed
 * ".pdf" is refused; the size and type limits are the field's own, from the
 * form definition. Bytes are stored outside the database, named by file id,
 * encrypted with the data key ring (AES-256-GCM, one message per file: uploads
 * are at most 20 MB and are read whole), and the row keeps the SHA-256 of the
 * plain bytes. Files stored before encryption are read as they are until
 * `data:reencrypt` encrypts them.
 */
const SIGNATURES: Array<{ type: string; test: (b: Buffer) => boolean }> = [
  { type: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  {
    type: 'image/png',
    test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
]

export function sniffType(bytes: Buffer): string | null {
  return SIGNATURES.find((s) => s.test(bytes))?.type ?? null
}

function text(lang: Lang, it: string, en: string) {
  return lang === 'en' ? en : it
}

export class UploadRefused extends Error {
  constructor(
    readonly status: number,
    readonly error: FormError
  ) {
    super(error.message)
  }
}

/** Where a file's bytes are kept (the retention cleanup deletes them there too). */
export function storagePath(tenantId: number, fileId: string) {
  return join(storageRoot(), 'attachments', String(tenantId), fileId)
}

/** What a file's encryption is bound to: the same bytes under another tenant or file id do not decrypt. */
export function attachmentContext(tenantId: number, fileId: string) {
  return `attachments:${tenantId}:${fileId}`
}

export async function storeUpload(input: {
  tenantId: number
  userId: number
  form: FormDefinition
  field: string
  fileName: string
  bytes: Buffer
  lang: Lang
}): Promise<Attachment> {
  const attachments = input.form.attachments ?? {}
  // The field comes from the query string: "__proto__" or "toString" must not find Object's members.
  const rule = Object.hasOwn(attachments, input.field) ? attachments[input.field] : undefined
  if (!rule) {
    throw new UploadRefused(422, {
      path: input.field,
      rule: 'attachment:field',
      message: text(input.lang, 'Questo campo non accetta allegati.', 'This field takes no attachment.'),
    })
  }
  if (input.bytes.length === 0) {
    throw new UploadRefused(422, {
      path: input.field,
      rule: 'attachment:empty',
      message: text(input.lang, 'Il file è vuoto.', 'The file is empty.'),
    })
  }
  if (input.bytes.length > rule.max_bytes) {
    const mb = (rule.max_bytes / 1048576).toFixed(0)
    throw new UploadRefused(413, {
      path: input.field,
      rule: 'attachment:size',
      message: text(input.lang, `Il file supera ${mb} MB.`, `The file is larger than ${mb} MB.`),
    })
  }
  const type = sniffType(input.bytes)
  if (!type || !rule.types.includes(type)) {
    throw new UploadRefused(422, {
      path: input.field,
      rule: 'attachment:type',
      message: text(
        input.lang,
        `Questo file non è un ${fileKinds(rule.types, 'it')} (lo si riconosce dal contenuto, non dal nome): carica un file ${fileKinds(rule.types, 'it')}.`,
        `This file is not a ${fileKinds(rule.types, 'en')} (it is recognised by its content, not its name): upload a ${fileKinds(rule.types, 'en')} file.`
      ),
    })
  }
  const fileId = randomBytes(18).toString('base64url')
  const path = storagePath(input.tenantId, fileId)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, currentDataCipher().encryptFile(input.bytes, attachmentContext(input.tenantId, fileId)), {
    flag: 'wx',
  })
  return Attachment.create({
    fileId,
    uploadedByUserId: input.userId,
    formKey: input.form.id,
    fieldPath: input.field,
    submissionId: null,
    fileName: input.fileName.replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(0, 200) || 'allegato',
    contentType: type,
    sizeBytes: input.bytes.length,
    sha256: createHash('sha256').update(input.bytes).digest('hex'),
  })
}

/** The plain bytes of a stored file (decrypted, or as they are for a file stored before encryption). */
export async function readStored(attachment: Attachment) {
  const stored = await readFile(storagePath(attachment.tenantId, attachment.fileId))
  const bytes = currentDataCipher().decryptFile(stored, attachmentContext(attachment.tenantId, attachment.fileId))
  // The bytes must still be the ones that were uploaded.
  if (createHash('sha256').update(bytes).digest('hex') !== attachment.sha256) {
    throw new Error(`Attachment ${attachment.fileId}: stored content does not match its SHA-256`)
  }
  return bytes
}

/**
 * Server-side check of the attachment references in a submission's data: each must be a file
 * uploaded in this tenant, for this form, by the applicant or the person filing, and match it.
 */
export async function checkReferences(
  form: FormDefinition,
  data: Record<string, unknown>,
  allowedUploaders: number[],
  lang: Lang
): Promise<{ errors: FormError[]; fileIds: string[] }> {
  const errors: FormError[] = []
  const fileIds: string[] = []
  for (const path of Object.keys(form.attachments ?? {})) {
    const value = getAt(data, path)
    const refs = Array.isArray(value) ? value : value ? [value] : []
    for (const ref of refs) {
      const fileId = (ref as { file_id?: unknown })?.file_id
      if (typeof fileId !== 'string') continue
      // Only what the match compares: the file's name (encrypted) and dates are not read for it.
      const stored = await Attachment.query()
        .select('form_key', 'uploaded_by_user_id', 'sha256', 'size_bytes', 'content_type')
        .where('file_id', fileId)
        .first()
      const matches =
        stored &&
        stored.formKey === form.id &&
        allowedUploaders.includes(stored.uploadedByUserId) &&
        stored.sha256 === (ref as { sha256?: string }).sha256 &&
        stored.sizeBytes === (ref as { size_bytes?: number }).size_bytes &&
        stored.contentType === (ref as { content_type?: string }).content_type
      if (!matches) {
        errors.push({
          path,
          rule: 'attachment:unknown',
          message: text(
            lang,
            'Il file indicato non risulta caricato per questa domanda: caricarlo di nuovo.',
            'The file given was not uploaded for this application: upload it again.'
          ),
        })
      } else {
        fileIds.push(fileId)
      }
    }
  }
  return { errors, fileIds }
}

/** Links the files to the submission; with `trx`, in the transaction that sends it. */
export async function linkToSubmission(
  fileIds: string[],
  submission: Submission,
  trx?: TransactionClientContract,
  alongside?: AlongsideWrite[]
) {
  if (fileIds.length === 0) return
  const update = Attachment.query({ client: trx }).whereIn('file_id', fileIds).update({ submission_id: submission.id })
  // A new sending's link goes with its job's row (one statement on PostgreSQL, enqueueReceipt).
  if (alongside) alongside.push(update)
  else await update
}
