import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { blindIndexColumn, column, encryptedColumn, identifierColumn } from '#models/columns'
import { FISCAL_CODE_INDEX, currentDataCipher, normaliseFiscalCode } from '#services/infrastructure/data_cipher'
import type { DocumentType } from '#shared/contract'

/**
 * A document the offices keep for a person (document_service.ts): its type, dates and notes, and
 * the stored file (an `attachments` row, encrypted at rest). The person is named by codice fiscale,
 * encrypted, with the blind index that people and enrolments use beside it.
 */
export default class Document extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'documents'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare type: DocumentType

  @column(identifierColumn)
  declare subjectFiscalCode: string

  @column(blindIndexColumn)
  declare subjectFiscalCodeHash: string

  @column()
  declare attachmentId: number

  @column()
  declare submissionId: number | null

  @column()
  declare issuedOn: string | null

  @column()
  declare expiresOn: string | null

  /** Free text about a certification or decree: health or family data, so of the special class. */
  @column(encryptedColumn)
  declare notes: string | null

  /**
   * Why the document was deleted: set on the row just before the delete and never stored, so the
   * audit entry of the deletion holds it (encrypted, readable by tenant admins in the audit viewer).
   */
  @column(identifierColumn)
  declare deletionReason: string | null

  @column()
  declare uploadedByUserId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @beforeSave()
  static indexFiscalCode(row: Document) {
    if (row.$dirty.subjectFiscalCode === undefined) return
    row.subjectFiscalCode = normaliseFiscalCode(row.subjectFiscalCode)
    row.subjectFiscalCodeHash = currentDataCipher().blindIndex(FISCAL_CODE_INDEX, row.subjectFiscalCode)
  }
}
