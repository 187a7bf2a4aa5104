import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { column, identifierColumn } from '#models/columns'

/**
 * A file uploaded for a form field; its bytes are in storage/attachments, addressed by file id,
 * encrypted with the data key ring (attachment_service.ts). Its name, often the person's, is
 * encrypted in the row; the SHA-256 is of the plain bytes.
 */
export default class Attachment extends compose(BaseModel, TenantScoped, Audited) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare fileId: string

  @column()
  declare uploadedByUserId: number

  @column()
  declare formKey: string

  @column()
  declare fieldPath: string

  @column()
  declare submissionId: number | null

  @column(identifierColumn)
  declare fileName: string

  @column()
  declare contentType: string

  @column()
  declare sizeBytes: number

  @column({ columnName: 'sha256' })
  declare sha256: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  /** The reference a form's data holds for this file (forms/_shared/common.json#/$defs/attachment). */
  get reference() {
    return {
      file_id: this.fileId,
      file_name: this.fileName,
      content_type: this.contentType,
      size_bytes: this.sizeBytes,
      sha256: this.sha256,
    }
  }
}
