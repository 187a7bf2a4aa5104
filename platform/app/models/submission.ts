import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { blindIndexColumn, booleanColumn, column, encryptedColumn, identifierColumn } from '#models/columns'
import { childIndexOf } from '#services/submissions/child_identity'
import { schoolOfData } from '#services/submissions/submission_school'
import SubmissionEvent from '#models/submission_event'
import type { SubmissionStatus } from '#shared/contract'
import type { Lang } from '#forms/types'

/** A warning kept with a submission, in both languages: staff read it in theirs. */
export interface StoredWarning {
  rule: string
  messages: Record<Lang, string>
}

/**
 * A citizen's submission of a form: a draft until submitted, then moved
 * through the back-office statuses by submission_service.ts, the only code
 * that changes `status`.
 */
export default class Submission extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'submissions'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare formId: number

  /** The version the data was last validated against (on submit: the one it was made on). */
  @column()
  declare formVersionId: number

  @column()
  declare formKey: string

  @column()
  declare applicantUserId: number

  @column()
  declare submittedByUserId: number

  @column(booleanColumn)
  declare onBehalf: boolean

  @column()
  declare status: SubmissionStatus

  /** Encrypted at rest: an operator's free text about the person. */
  @column(identifierColumn)
  declare statusReason: string | null

  /** Encrypted at rest: ISEE, disability and health data. */
  @column(encryptedColumn)
  declare data: Record<string, unknown>

  /** Blind index of the child's codice fiscale in `data` (child_identity.ts), kept in step on save. */
  @column(blindIndexColumn)
  declare childKeyHash: string | null

  /** The catalog code of the school the data name (submission_school.ts), kept in step on save. */
  @column()
  declare schoolCode: string | null

  @column()
  declare protocolNumber: string | null

  @column.dateTime()
  declare submittedAt: DateTime | null

  /** The language of the (last) sending, or of the draft until then: the receipt and its email speak it. */
  @column()
  declare lang: Lang

  /** For staff: what to check before deciding (a second application for the same child). */
  @column(identifierColumn)
  declare warnings: StoredWarning[] | null

  @hasMany(() => SubmissionEvent, { foreignKey: 'submissionId' })
  declare events: HasMany<typeof SubmissionEvent>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @beforeSave()
  static indexChild(row: Submission) {
    if (row.$dirty.data === undefined && row.$isPersisted) return
    row.childKeyHash = childIndexOf(row.data)
    row.schoolCode = schoolOfData(row.data)
  }
}
