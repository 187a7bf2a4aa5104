import { compose } from '@adonisjs/core/helpers'
import { column } from '#models/columns'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'

/**
 * A keyed hash of a codice fiscale or of a name word of a submission (submission_search.ts). Not
 * audited itself: it is derived from the data, rewritten with the audited sending it follows.
 */
export default class SubmissionSearchTerm extends compose(BaseModel, TenantScoped) {
  static table = 'submission_search_terms'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare submissionId: number

  @column()
  declare term: string
}
