import { DateTime } from 'luxon'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel } from '@adonisjs/lucid/orm'
import { TenantScoped } from '#models/mixins/tenant_scoped'
import { column, identifierColumn } from '#models/columns'
import type { ChannelName } from '#integrations/notices/notice_channel'

/**
 * pending    recorded, not sent yet
 * sending    a sender claimed it and called the provider (attempts counts the claims)
 * sent       the provider took it (provider_id)
 * undeliverable  this channel cannot reach the recipient (no address, not on IO, service off)
 * refused    the message cannot go as it is (bad number, text too long): not retried
 * failed     the provider was unreachable or failed: the next send retries
 * uncertain  a sender stopped while calling a provider that keeps no key: maybe delivered, never resent
 */
export const NOTICE_STATUSES = [
  'pending',
  'sending',
  'sent',
  'undeliverable',
  'refused',
  'failed',
  'uncertain',
] as const
export type NoticeStatus = (typeof NOTICE_STATUSES)[number]

/**
 * One notice to a family, recorded once per idempotency key before any provider is called
 * (notice_service.ts). Its writes are audited by the service, each state change in the transaction
 * that makes it.
 */
export default class Notice extends compose(BaseModel, TenantScoped) {
  static table = 'notices'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare idempotencyKey: string

  @column()
  declare channel: ChannelName

  @column()
  declare status: NoticeStatus

  /** The address used on the channel (email, phone, fiscal code, town): encrypted at rest. */
  @column(identifierColumn)
  declare recipient: string

  /** Encrypted at rest: a subject may name the child. */
  @column(identifierColumn)
  declare subject: string

  @column()
  declare refType: string | null

  @column()
  declare refId: string | null

  @column()
  declare providerId: string | null

  @column()
  declare attempts: number

  @column()
  declare lastError: string | null

  @column.dateTime()
  declare lastAttemptAt: DateTime | null

  @column.dateTime()
  declare sentAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null
}
