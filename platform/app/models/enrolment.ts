import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { blindIndexColumn, booleanColumn, column, encryptedColumn, identifierColumn } from '#models/columns'
import { FISCAL_CODE_INDEX, currentDataCipher, normaliseFiscalCode } from '#services/infrastructure/data_cipher'
import type { TraceEntry } from '#rules/types'
import type { DeclaredIsee } from '#sdk/types'

export const ENROLMENT_STATUSES = ['active', 'withdrawn', 'ended'] as const
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number]

export type { DeclaredIsee }

export type TariffMissingReason = 'no_tariff_rule' | 'ruleset_missing' | 'no_version_in_force' | 'facts_invalid'

/**
 * A child enrolled in a service for a school year, created from an accepted
 * submission by its service plugin through enrolment_service.ts. The record is
 * the same for every service; what only one service knows is its plugin's
 * `details` (JSON the plugin owns and describes to people: a stop, attendance
 * weeks, health data). ISEE, the details (health, religion, people authorised to
 * pick the child up) and the tariff's facts, result and trace (which name
 * disability and foster care) are encrypted at rest, and so are the child's
 * name, codice fiscale and birth date; the codice fiscale has a blind index
 * beside it for "same child" look-ups. School and section stay in clear: lists
 * and counts per school read them, and without the name they identify no one.
 */
export default class Enrolment extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'enrolments'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare service: string

  @column()
  declare formKey: string

  @column()
  declare schoolYear: string

  @column()
  declare submissionId: number

  @column()
  declare applicantUserId: number

  @column(identifierColumn)
  declare childFirstName: string | null

  @column(identifierColumn)
  declare childLastName: string | null

  @column(identifierColumn)
  declare childFiscalCode: string | null

  /** HMAC of the normalised codice fiscale (data_cipher.ts), kept in step on save. */
  @column(blindIndexColumn)
  declare childFiscalCodeHash: string | null

  @column(booleanColumn)
  declare childUnborn: boolean

  @column(identifierColumn)
  declare childBirthDate: string | null

  @column()
  declare schoolId: string | null

  @column()
  declare section: string | null

  /** The service plugin's own detail: special categories may be in it (health), so encrypted as such. */
  @column(encryptedColumn)
  declare details: Record<string, unknown> | null

  @column(encryptedColumn)
  declare isee: DeclaredIsee | null

  /** Decimal string as the rules engine returns it ("3.43"); null when no tariff could be computed. */
  @column()
  declare tariffAmount: string | null

  @column()
  declare tariffRuleset: string | null

  @column()
  declare tariffVersion: number | null

  /** The date the rule set was evaluated at (YYYY-MM-DD). */
  @column()
  declare tariffAt: string | null

  @column(encryptedColumn)
  declare tariffResult: Record<string, string | number | boolean | null> | null

  @column(encryptedColumn)
  declare tariffFacts: Record<string, unknown> | null

  @column(encryptedColumn)
  declare tariffTrace: TraceEntry[] | null

  @column()
  declare tariffMissingReason: TariffMissingReason | null

  /**
   * The fee set by hand by an operator in place of `tariffAmount` (decimal string, euro), with
   * its reason (encrypted: free text about the family), who set it and when. Billing charges it
   * while it is set; null: the computed fee holds.
   */
  @column()
  declare feeOverrideAmount: string | null

  @column(identifierColumn)
  declare feeOverrideReason: string | null

  @column()
  declare feeOverrideBy: number | null

  @column.dateTime()
  declare feeOverrideAt: DateTime | null

  @column()
  declare status: EnrolmentStatus

  /** The day the child stops (YYYY-MM-DD), when withdrawn: months begun before it are still billed. */
  @column()
  declare withdrawnFrom: string | null

  /** Why it was withdrawn (free text about the family: encrypted at rest). */
  @column(identifierColumn)
  declare withdrawalReason: string | null

  @column()
  declare withdrawnBy: number | null

  /** The enrolment of the previous school year this one renews (enrolment_changes.ts). */
  @column()
  declare renewedFromId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @beforeSave()
  static indexFiscalCode(row: Enrolment) {
    if (row.$dirty.childFiscalCode === undefined) return
    row.childFiscalCodeHash = row.childFiscalCode
      ? currentDataCipher().blindIndex(FISCAL_CODE_INDEX, normaliseFiscalCode(row.childFiscalCode))
      : null
  }
}
