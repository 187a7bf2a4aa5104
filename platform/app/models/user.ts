import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import { Audited } from '#models/mixins/audited'
import { booleanColumn } from '#models/columns'
import Membership from '#models/membership'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

/**
 * A person who logs in: citizen or staff. Users are platform-wide (a citizen
 * may use several comuni); what they may do in a tenant comes from their
 * membership there.
 */
export default class User extends compose(BaseModel, AuthFinder, Audited) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare email: string

  @column()
  declare fullName: string

  @column()
  declare fiscalCode: string | null

  @column({ serializeAs: null })
  declare password: string | null

  @column(booleanColumn)
  declare isPlatformAdmin: boolean

  @column()
  declare locale: string

  /** Set when the account is disabled: no login, and every request of an open session answers 401. */
  @column.dateTime()
  declare disabledAt: DateTime | null

  @hasMany(() => Membership)
  declare memberships: HasMany<typeof Membership>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
