import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave } from '@adonisjs/lucid/orm'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import { Audited } from '#models/mixins/audited'
import { blindIndexColumn, booleanColumn, column, identifierColumn } from '#models/columns'
import { FISCAL_CODE_INDEX, currentDataCipher, normaliseFiscalCode } from '#services/infrastructure/data_cipher'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

/**
 * A person who logs in: citizen or staff. Users are platform-wide (a citizen
 * may use several comuni); what they may do in a tenant comes from their
 * membership there.
 *
 * Name and codice fiscale are encrypted at rest; the codice fiscale has a
 * blind index beside it (`fiscal_code_hash`, unique) for look-ups. The email
 * stays in clear: login finds the account by it.
 */
export default class User extends compose(BaseModel, AuthFinder, Audited) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare email: string

  @column(identifierColumn)
  declare fullName: string

  @column(identifierColumn)
  declare fiscalCode: string | null

  /** HMAC of the normalised codice fiscale (data_cipher.ts), kept in step by `indexFiscalCode`. */
  @column(blindIndexColumn)
  declare fiscalCodeHash: string | null

  @column({ serializeAs: null })
  declare password: string | null

  @column(booleanColumn)
  declare isPlatformAdmin: boolean

  @column()
  declare locale: string

  /** Set when the account is disabled: no login, and every request of an open session answers 401. */
  @column.dateTime()
  declare disabledAt: DateTime | null

  /** The tenant whose directory (LDAP) this account logs in from, and its login name there; null for local accounts. */
  @column()
  declare directoryTenantId: number | null

  @column()
  declare directoryLogin: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @beforeSave()
  static async indexFiscalCode(user: User) {
    if (user.$dirty.fiscalCode === undefined) return
    user.fiscalCode = user.fiscalCode ? normaliseFiscalCode(user.fiscalCode) : null
    user.fiscalCodeHash = user.fiscalCode ? currentDataCipher().blindIndex(FISCAL_CODE_INDEX, user.fiscalCode) : null
    if (!user.fiscalCode) return
    // The unique index compares hashes of one key; while a rotation is under way the same code may
    // stand under the old key's hash, so check under every key of the ring.
    const other = await User.findByFiscalCode(user.fiscalCode, { client: user.$trx })
    if (other && other.id !== user.id) throw new FiscalCodeTakenError()
  }

  /** The user with this codice fiscale, by its blind index under any key of the ring. */
  static findByFiscalCode(fiscalCode: string, options: { client?: User['$trx'] } = {}) {
    const hashes = currentDataCipher().blindIndexes(FISCAL_CODE_INDEX, normaliseFiscalCode(fiscalCode))
    return User.query({ client: options.client }).whereIn('fiscal_code_hash', hashes).first()
  }
}

export class FiscalCodeTakenError extends Error {
  constructor() {
    super('Another user already has this codice fiscale')
    this.name = 'FiscalCodeTakenError'
  }
}
