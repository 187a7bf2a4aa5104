import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { Audited } from '#models/mixins/audited'
import { blindIndexColumn, column, identifierColumn } from '#models/columns'
import { FISCAL_CODE_INDEX, currentDataCipher, normaliseFiscalCode } from '#services/infrastructure/data_cipher'

export const PERSON_KINDS = ['parent', 'child'] as const
export type PersonKind = (typeof PERSON_KINDS)[number]

/**
 * A parent or a child in the offices' register of people (people_controller.ts). Names, codice
 * fiscale and birth date are encrypted at rest; the codice fiscale has a blind index beside it,
 * unique per tenant, for look-ups and for finding the child's enrolments.
 */
export default class Person extends compose(BaseModel, TenantScoped, Audited) {
  static table = 'people'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare kind: PersonKind

  @column(identifierColumn)
  declare firstName: string

  @column(identifierColumn)
  declare lastName: string

  @column(identifierColumn)
  declare fiscalCode: string

  @column(blindIndexColumn)
  declare fiscalCodeHash: string

  @column(identifierColumn)
  declare birthDate: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @beforeSave()
  static indexFiscalCode(row: Person) {
    if (row.$dirty.fiscalCode === undefined) return
    row.fiscalCode = normaliseFiscalCode(row.fiscalCode)
    row.fiscalCodeHash = currentDataCipher().blindIndex(FISCAL_CODE_INDEX, row.fiscalCode)
  }

  /** The hashes this codice fiscale has under every key of the ring (a rotation may be under way). */
  static hashesOf(fiscalCode: string) {
    return currentDataCipher().blindIndexes(FISCAL_CODE_INDEX, normaliseFiscalCode(fiscalCode))
  }
}
