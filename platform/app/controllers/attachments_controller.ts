import { currentLanguage, t } from '#i18n/catalogue'
import type { HttpContext } from '@adonisjs/core/http'
import Attachment from '#models/attachment'
import Submission from '#models/submission'
import SubmissionPolicy from '#policies/submission_policy'
import { findCurrentForm } from '#services/definitions/form_service'
import { requestLanguage } from '#services/infrastructure/request_language'
import { UploadRefused, readStored, storeUpload } from '#services/submissions/attachment_service'
import { contentDisposition } from '#services/infrastructure/content_disposition'
import { uploadedFile } from '#services/infrastructure/uploads'

/** What a browser shows by itself, safely: PDFs and raster images (an SVG is downloaded). */
const PREVIEWABLE = /^(application\/pdf|image\/(png|jpeg|gif|webp))$/

export default class AttachmentsController {
  /**
   * `POST /forms/:id/attachments?field=/json/pointer` with a multipart `file`: answers the
   * reference to put in the form's data at that field.
   */
  async store(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    const current = await findCurrentForm(ctx.params.id)
    if (!current) return ctx.response.notFound({ errors: [{ message: t(lang, 'form.notFound') }] })
    const field = String(ctx.request.input('field', ''))
    const file = uploadedFile(ctx)
    if (!file) {
      return ctx.response.unprocessableEntity({
        errors: [
          {
            path: field,
            rule: 'attachment:missing',
            message: lang === 'en' ? 'Attach a file in the "file" part.' : 'Allegare un file nella parte "file".',
          },
        ],
      })
    }
    try {
      const attachment = await storeUpload({
        tenantId: ctx.tenant.id,
        userId: ctx.auth.getUserOrFail().id,
        form: current.definition,
        field,
        fileName: file.fileName,
        bytes: file.bytes,
        lang,
      })
      return ctx.response.created({ attachment: attachment.reference })
    } catch (error) {
      if (error instanceof UploadRefused) return ctx.response.status(error.status).send({ errors: [error.error] })
      throw error
    }
  }

  /** The file, for whoever uploaded it, the applicant of its submission, and staff. */
  async show(ctx: HttpContext) {
    const attachment = await Attachment.query().where('file_id', ctx.params.fid).first()
    const user = ctx.auth.getUserOrFail()
    let allowed = !!attachment && attachment.uploadedByUserId === user.id
    if (attachment && !allowed) {
      const staff = await ctx.bouncer.with(SubmissionPolicy).allows('viewAll', ctx.access)
      const submission = attachment.submissionId ? await Submission.find(attachment.submissionId) : null
      allowed = staff || submission?.applicantUserId === user.id
    }
    // Someone else's file answers as if it did not exist.
    if (!attachment || !allowed) {
      return ctx.response.notFound({ errors: [{ message: t(currentLanguage(), 'attachment.notFound') }] })
    }
    ctx.response.header('content-type', attachment.contentType)
    // `?inline=1` opens a PDF or an image in the browser (the back office's preview); anything else,
    // and every file by default, is a download.
    const inline = ctx.request.input('inline') === '1' && PREVIEWABLE.test(attachment.contentType)
    ctx.response.header(
      'content-disposition',
      contentDisposition(inline ? 'inline' : 'attachment', attachment.fileName)
    )
    ctx.response.header('x-content-type-options', 'nosniff')
    return ctx.response.send(await readStored(attachment))
  }
}
