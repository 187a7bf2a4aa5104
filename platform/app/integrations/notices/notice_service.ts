import { DateTime } from 'luxon'
import env from '#start/env'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Notice, { type NoticeStatus } from '#models/notice'
import { RequestContext } from '#services/infrastructure/request_context'
import { writeAudit } from '#services/infrastructure/audit_service'
import { NoticeRefusedError, type NoticeChannel, type NoticeMessage } from '#integrations/notices/notice_channel'

/**
 * sendNotice: each notice is recorded (table notices, unique per tenant and idempotency key) in
 * its own committed transaction BEFORE any provider is called, then claimed with a conditional
 * UPDATE (only one sender wins), sent, and its outcome recorded. Calling it again with the same key
 * never sends again once the notice is sent, undeliverable or refused; a failed send is retried.
 *
 * The crash window: a sender that stops after the provider accepted the message and before the
 * outcome is committed leaves the notice in `sending`. Nobody touches it while its lease runs
 * (SENDING_LEASE_MS). After the lease, a channel whose provider keeps our key (the SMS gateway's
 * `reference`, the postal batch's file name) is simply sent again — the provider delivers once; a
 * channel whose provider keeps none (SMTP, App IO) is marked `uncertain` and never resent, so a
 * family gets such a notice at most once and the operator sees the ones to check by hand.
 */
export const SENDING_LEASE_MS = 10 * 60 * 1000

/** The lease in force: SENDING_LEASE_MS, or NOTICE_SENDING_LEASE_MS when the deployment sets it. */
function sendingLease() {
  return env.get('NOTICE_SENDING_LEASE_MS') ?? SENDING_LEASE_MS
}

export interface SendNoticeOptions {
  /** What the notice is about, for the back office: e.g. { type: 'position', id: iupd }. */
  ref?: { type: string; id: string } | null
  /** How long a claimed send is left alone (tests shorten it). */
  leaseMs?: number
}

export interface SendNoticeResult {
  notice: Notice
  /** True only for the call that called the provider this time. */
  sentNow: boolean
}

export class NoticeKeyConflictError extends Error {
  constructor(key: string, recorded: string, asked: string) {
    super(`Notice ${key} is recorded for channel ${recorded}, not ${asked}: one key, one channel`)
    this.name = 'NoticeKeyConflictError'
  }
}

const FINAL: NoticeStatus[] = ['sent', 'undeliverable', 'refused', 'uncertain']

function recipientOf(channel: NoticeChannel, message: NoticeMessage) {
  const r = message.recipient
  const value =
    channel.name === 'email'
      ? r.email
      : channel.name === 'sms'
        ? r.phone
        : channel.name === 'io'
          ? r.fiscalCode
          : r.address
            ? `${r.name}, ${r.address.postalCode} ${r.address.city}`
            : null
  return (value ?? `${r.name} (—)`).slice(0, 254)
}

function stamp(client: { dialect: { dateTimeFormat: string } }, at = DateTime.now()) {
  return at.toFormat(client.dialect.dateTimeFormat)
}

async function audit(
  trx: TransactionClientContract,
  notice: Notice,
  before: unknown,
  after: unknown,
  action = 'update'
) {
  await writeAudit(trx, {
    tenantId: notice.tenantId,
    action,
    entity: 'notices',
    entityId: String(notice.id),
    before,
    after,
  })
}

/** The notice recorded under `key`, created as pending when there is none (concurrent callers: one row). */
async function record(channel: NoticeChannel, message: NoticeMessage, ref: SendNoticeOptions['ref']): Promise<Notice> {
  const key = message.idempotencyKey
  const find = () => Notice.query().where('idempotency_key', key).first()
  const existing = await find()
  if (existing) return existing
  try {
    return await db.transaction(async (trx) => {
      const notice = await Notice.create(
        {
          idempotencyKey: key,
          channel: channel.name,
          status: 'pending',
          recipient: recipientOf(channel, message),
          subject: message.subject.slice(0, 300),
          refType: ref?.type ?? null,
          refId: ref?.id ?? null,
          attempts: 0,
        },
        { client: trx }
      )
      await audit(trx, notice, null, { channel: channel.name, status: 'pending', idempotency_key: key }, 'create')
      return notice
    })
  } catch (error) {
    // Another sender recorded it first (unique tenant + key): theirs is the notice.
    const other = await find()
    if (other) return other
    throw error
  }
}

/**
 * Moves the notice from the state we read to `next`, only if nobody moved it meanwhile (same status
 * and attempts); an outcome is written over `sending` or `uncertain` whoever claimed since, because
 * the provider's answer is what happened.
 */
async function transition(
  notice: Notice,
  next: NoticeStatus,
  changes: Record<string, unknown> = {},
  mode: 'claim' | 'move' | 'outcome' = 'move'
): Promise<boolean> {
  const claim = mode === 'claim'
  return db.transaction(async (trx) => {
    const now = stamp(trx)
    const values: Record<string, unknown> = { status: next, updated_at: now, ...changes }
    if (claim) {
      // The update is conditional on the attempts we read, so this is their count plus one.
      values.attempts = notice.attempts + 1
      values.last_attempt_at = now
    }
    const query = Notice.query({ client: trx }).where('id', notice.id)
    if (mode === 'outcome') query.whereIn('status', ['sending', 'uncertain'])
    else query.where('status', notice.status).where('attempts', notice.attempts)
    const result = await query.update(values)
    const affected = Array.isArray(result) ? Number(result[0]) : Number(result)
    if (affected !== 1) return false
    const after: Record<string, unknown> = { status: next }
    for (const [k, v] of Object.entries(changes)) if (k !== 'updated_at' && k !== 'sent_at') after[k] = v
    if (claim) after.attempts = notice.attempts + 1
    await audit(trx, notice, { status: notice.status }, after)
    return true
  })
}

export async function sendNotice(
  channel: NoticeChannel,
  message: NoticeMessage,
  options: SendNoticeOptions = {}
): Promise<SendNoticeResult> {
  if (!RequestContext.tenant()) throw new Error('sendNotice needs a tenant in context')
  const key = message.idempotencyKey
  if (typeof key !== 'string' || !key.trim() || key.length > 200) {
    throw new Error('A notice needs an idempotency key of 1 to 200 characters')
  }
  const lease = options.leaseMs ?? sendingLease()
  let notice = await record(channel, message, options.ref)
  if (notice.channel !== channel.name) throw new NoticeKeyConflictError(key, notice.channel, channel.name)
  const reread = async () => await Notice.query().where('id', notice.id).firstOrFail()

  if (FINAL.includes(notice.status)) return { notice, sentNow: false }
  if (notice.status === 'sending') {
    const started = notice.lastAttemptAt?.toMillis() ?? 0
    if (Date.now() - started < lease) return { notice, sentNow: false }
    if (!channel.idempotentProvider) {
      // Its sender stopped mid-call; the provider may have delivered it and keeps no key to ask.
      await transition(notice, 'uncertain', {
        last_error: 'the send was interrupted: it may or may not have been delivered; check before sending it again',
      })
      return { notice: await reread(), sentNow: false }
    }
  }
  if (!(await transition(notice, 'sending', {}, 'claim'))) return { notice: await reread(), sentNow: false }
  notice = await reread()

  try {
    const outcome = await channel.send(message)
    await transition(
      notice,
      outcome.status,
      {
        provider_id: outcome.providerId,
        last_error: outcome.detail ? outcome.detail.it : null,
        sent_at: outcome.status === 'sent' ? stamp(db.connection()) : null,
      },
      'outcome'
    )
    return { notice: await reread(), sentNow: outcome.status === 'sent' }
  } catch (error) {
    const refused = error instanceof NoticeRefusedError
    await transition(
      notice,
      refused ? 'refused' : 'failed',
      { last_error: (refused ? error.messages.it : (error as Error).message).slice(0, 1000) },
      'outcome'
    )
    // A refusal is an answer (the caller may try another channel); anything else is for the queue to retry.
    if (refused) return { notice: await reread(), sentNow: false }
    throw error
  }
}

/** The notices about something (a position, a letter), oldest first: for the back office and the family. */
export function noticesAbout(ref: { type: string; id: string }) {
  return Notice.query().where('ref_type', ref.type).where('ref_id', ref.id).orderBy('id')
}
