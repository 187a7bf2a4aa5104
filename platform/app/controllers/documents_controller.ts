import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { LocalizedError, currentLanguage, t, texts } from '#i18n/catalogue'
import Attachment from '#models/attachment'
import Document from '#models/document'
import Enrolment from '#models/enrolment'
import Person from '#models/person'
import DocumentPolicy from '#policies/document_policy'
import { isPlainObject } from '#forms/json_pointer'
import { contentDisposition } from '#services/infrastructure/content_disposition'
import { uploadedFile } from '#services/infrastructure/uploads'
import { writeAudit } from '#services/infrastructure/audit_service'
import { readStored } from '#services/submissions/attachment_service'
import {
  deleteDocument,
  parseDocumentChange,
  parseDocumentFields,
  presentDocument,
  storeDocument,
  todayInItaly,
} from '#services/documents/document_service'
import type { DocumentsAnswerDto } from '#shared/contract'

/** A person's documents are few; the list is bounded all the same. */
const MAX_LISTED = 200

interface Subject {
  fiscalCode: string
  personId: number | null
  enrolmentId: number | null
  /** How the audit names whose documents were read. */
  label: string
}

/**
 * A person's documents (Allegato A, "gestione anagrafica"), for the offices: list, upload, preview
 * and download, delete with a reason. A person is named by the register of people (`person_id`)
 * or by an enrolment of the register of enrolments (`enrolment_id`, its child): both lead to the
 * same codice fiscale, and so to the same documents. Every read is audited here, every write by
 * the models.
 */
export default class DocumentsController {
  /** `GET /documents?person_id=` or `?enrolment_id=`: newest first. */
  async index(ctx: HttpContext) {
    const { bouncer, access, request, tenant } = ctx
    await bouncer.with(DocumentPolicy).authorize('manage', access)
    const subject = await this.#subject(request.qs())
    const documents = await Document.query()
      .whereIn('subject_fiscal_code_hash', Person.hashesOf(subject.fiscalCode))
      .orderBy('id', 'desc')
      .limit(MAX_LISTED)
    const attachments = documents.length
      ? await Attachment.query().whereIn(
          'id',
          documents.map((d) => d.attachmentId)
        )
      : []
    const byId = new Map(attachments.map((a) => [a.id, a]))
    await writeAudit(db.connection(), {
      tenantId: tenant.id,
      action: 'read',
      entity: 'documents',
      entityId: subject.label,
      after: { documents: documents.map((d) => d.id) },
    })
    const today = todayInItaly()
    const answer: DocumentsAnswerDto = {
      subject: { fiscalCode: subject.fiscalCode, personId: subject.personId, enrolmentId: subject.enrolmentId },
      documents: documents.map((d) => presentDocument(d, byId.get(d.attachmentId), today)),
    }
    return answer
  }

  /** `POST /documents` multipart: `file`, `type`, `issued_on`, `expires_on`, `notes`, and `person_id` or `enrolment_id`. */
  async store(ctx: HttpContext) {
    const { bouncer, access, request, response, tenant } = ctx
    await bouncer.with(DocumentPolicy).authorize('manage', access)
    const body = isPlainObject(request.body()) ? { ...request.body() } : {}
    delete body.file
    const subject = await this.#subject(body)
    const fields = parseDocumentFields(body)
    const file = uploadedFile(ctx)
    if (!file) throw new LocalizedError(422, texts('document.missing'), 'document:missing', '/file')
    const { document, attachment } = await storeDocument({
      tenantId: tenant.id,
      userId: ctx.auth.getUserOrFail().id,
      subjectFiscalCode: subject.fiscalCode,
      fields,
      fileName: file.fileName,
      bytes: file.bytes,
    })
    return response.created({ document: presentDocument(document, attachment, todayInItaly()) })
  }

  /** `GET /documents/:id/file`: a download, or with `?inline=1` shown in the browser (PDF and images only). */
  async file(ctx: HttpContext) {
    const { bouncer, access, request, response, tenant } = ctx
    await bouncer.with(DocumentPolicy).authorize('manage', access)
    const document = await this.#find(ctx)
    const attachment = document ? await Attachment.find(document.attachmentId) : null
    if (!document || !attachment) {
      return response.notFound({ errors: [{ message: t(currentLanguage(), 'document.notFound') }] })
    }
    const bytes = await readStored(attachment)
    const inline = request.input('inline') === '1'
    await writeAudit(db.connection(), {
      tenantId: tenant.id,
      action: inline ? 'preview' : 'download',
      entity: 'documents',
      entityId: String(document.id),
      after: { type: document.type },
    })
    // Only the three types it accepts are stored, each a browser shows by itself.
    response.header('content-type', attachment.contentType)
    response.header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', attachment.fileName))
    response.header('x-content-type-options', 'nosniff')
    response.header('cache-control', 'private, no-store')
    return response.send(bytes)
  }

  /** `PATCH /documents/:id` `{ type?, issued_on?, expires_on?, notes? }`: e.g. the dates of a certificate filed from an application. */
  async update(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(DocumentPolicy).authorize('manage', access)
    const document = await this.#find(ctx)
    if (!document) return response.notFound({ errors: [{ message: t(currentLanguage(), 'document.notFound') }] })
    const body = request.body()
    const fields = parseDocumentChange(isPlainObject(body) ? body : {}, document)
    document.merge(fields)
    await document.save()
    const attachment = await Attachment.find(document.attachmentId)
    return { document: presentDocument(document, attachment ?? undefined, todayInItaly()) }
  }

  /** `DELETE /documents/:id` `{ reason }`: the reason is kept in the audit entry of the deletion. */
  async destroy(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(DocumentPolicy).authorize('manage', access)
    const document = await this.#find(ctx)
    if (!document) return response.notFound({ errors: [{ message: t(currentLanguage(), 'document.notFound') }] })
    const body = request.body()
    const reason = isPlainObject(body) && typeof body.reason === 'string' ? body.reason.trim() : ''
    if (reason.length < 3 || reason.length > 500) {
      throw new LocalizedError(422, texts('document.reason'), 'document:reason', '/reason')
    }
    await deleteDocument(document, reason)
    return response.noContent()
  }

  async #find(ctx: HttpContext) {
    const id = String(ctx.params.id)
    return /^\d{1,9}$/.test(id) ? Document.find(Number(id)) : null
  }

  /** Whose documents: a person of the register, or the child of an enrolment. */
  async #subject(input: Record<string, unknown>): Promise<Subject> {
    const id = (value: unknown) => {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : ''
      return /^\d{1,9}$/.test(text) ? Number(text) : null
    }
    const personId = id(input.person_id)
    const enrolmentId = id(input.enrolment_id)
    if ((personId === null) === (enrolmentId === null)) {
      throw new LocalizedError(422, texts('document.subject'), 'document:subject', '/person_id')
    }
    if (personId !== null) {
      const person = await Person.find(personId)
      if (!person) throw new LocalizedError(404, texts('document.subjectNotFound'), 'document:subject', '/person_id')
      return { fiscalCode: person.fiscalCode, personId, enrolmentId: null, label: `person:${personId}` }
    }
    const enrolment = await Enrolment.find(enrolmentId!)
    if (!enrolment) {
      throw new LocalizedError(404, texts('document.subjectNotFound'), 'document:subject', '/enrolment_id')
    }
    if (!enrolment.childFiscalCode) {
      throw new LocalizedError(422, texts('document.noFiscalCode'), 'document:no_fiscal_code', '/enrolment_id')
    }
    const person = await Person.query().whereIn('fiscal_code_hash', Person.hashesOf(enrolment.childFiscalCode)).first()
    return {
      fiscalCode: enrolment.childFiscalCode,
      personId: person?.id ?? null,
      enrolmentId,
      label: `enrolment:${enrolmentId}`,
    }
  }
}
