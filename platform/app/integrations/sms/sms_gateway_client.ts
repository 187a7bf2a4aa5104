import { httpCall, parseJson, ServiceUnavailableError } from '#integrations/http/http_call'
import { MAX_SEGMENTS, normalisePhone, smsSegments, validSender } from '#integrations/sms/sms_text'
import {
  NoticeRefusedError,
  undeliverable,
  type NoticeChannel,
  type NoticeMessage,
  type NoticeOutcome,
} from '#integrations/notices/notice_channel'

/**
 * SMS through an HTTP gateway with a small JSON API (README, "SMS gateway"), the one the local
 * simulator (sms_simulator.ts) speaks; a commercial gateway is adopted with an adapter of this shape.
 *
 *   POST {url}/v1/messages   Authorization: Bearer <key>
 *   { "to": "+393471234567", "from": "ComunePC", "text": "…", "reference": "<idempotency key>" }
 *   → 202 { "id", "status": "accepted", "segments", "duplicate": false }
 *   → 200 the same answer with "duplicate": true when the reference was already sent
 *   → 400 { "error": { "code", "message" } } · 401 · 429 with Retry-After · 5xx
 *   GET {url}/v1/messages/{id} → the message and its status (accepted, delivered, failed)
 *
 * The gateway keeps the reference: sending the same notice twice delivers it once.
 */
export interface SmsGatewayConfig {
  url: string
  apiKey: () => string
  /** Alphanumeric sender (≤ 11) or a phone number. */
  sender: string
  timeoutMs?: number
  attempts?: number
  backoffMs?: number
  maxRetryAfterMs?: number
}

export interface SmsSent {
  id: string
  segments: number
  duplicate: boolean
}

export class SmsGatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string
  ) {
    super(`SMS gateway refused the message (HTTP ${status}, ${code}): ${detail}`)
    this.name = 'SmsGatewayError'
  }
}

export class SmsGatewayClient {
  constructor(private config: SmsGatewayConfig) {}

  async send(message: { to: string; text: string; reference: string }): Promise<SmsSent> {
    const answer = await httpCall({
      operation: 'SMS send',
      method: 'POST',
      url: `${this.config.url.replace(/\/+$/, '')}/v1/messages`,
      headers: { 'authorization': `Bearer ${this.config.apiKey()}`, 'idempotency-key': message.reference },
      json: { to: message.to, from: this.config.sender, text: message.text, reference: message.reference },
      timeoutMs: this.config.timeoutMs,
      attempts: this.config.attempts ?? 4,
      backoffMs: this.config.backoffMs,
      maxRetryAfterMs: this.config.maxRetryAfterMs,
    })
    if (answer.status === 200 || answer.status === 201 || answer.status === 202) {
      const body = parseJson<{ id: string; segments: number; duplicate?: boolean }>(answer, 'SMS send')
      if (typeof body.id !== 'string')
        throw new ServiceUnavailableError('SMS send', 'answer without an id', answer.status)
      return { id: body.id, segments: body.segments, duplicate: body.duplicate === true }
    }
    let code = 'error'
    let detail = answer.text.slice(0, 300)
    try {
      const body = JSON.parse(answer.text) as { error?: { code?: string; message?: string } }
      code = body.error?.code ?? code
      detail = body.error?.message ?? detail
    } catch {
      // Not JSON: the raw text says what there is to say.
    }
    if (answer.status === 401 || answer.status === 403) detail = `${detail}: check the gateway key`
    throw new SmsGatewayError(answer.status, code, detail)
  }
}

/** The SMS notice channel: the text, checked for number, sender and length before it leaves. */
export class SmsChannel implements NoticeChannel {
  readonly name = 'sms' as const
  readonly idempotentProvider = true

  constructor(private client: SmsGatewayClient) {}

  async send(message: NoticeMessage): Promise<NoticeOutcome> {
    const raw = message.recipient.phone?.trim()
    if (!raw) return undeliverable('nessun numero di cellulare', 'no mobile number')
    const to = normalisePhone(raw)
    if (!to) {
      throw new NoticeRefusedError('sms', 'recipient.phone', {
        it: `"${raw}" non è un numero di cellulare: scrivilo con il prefisso, ad esempio +39 347 1234567`,
        en: `"${raw}" is not a mobile number: write it with its prefix, for example +39 347 1234567`,
      })
    }
    const { segments } = smsSegments(message.text)
    if (!message.text.trim() || segments > MAX_SEGMENTS) {
      throw new NoticeRefusedError('sms', 'text', {
        it: `il testo deve stare in ${MAX_SEGMENTS} SMS (${MAX_SEGMENTS * 153} caratteri senza accenti speciali), ora ne servono ${segments}`,
        en: `the text must fit in ${MAX_SEGMENTS} SMS (${MAX_SEGMENTS * 153} plain characters), it now takes ${segments}`,
      })
    }
    try {
      const sent = await this.client.send({ to, text: message.text, reference: message.idempotencyKey })
      return { status: 'sent', providerId: sent.id }
    } catch (error) {
      if (error instanceof SmsGatewayError && error.status === 400) {
        throw new NoticeRefusedError('sms', error.code, { it: error.message, en: error.message })
      }
      throw error
    }
  }
}

export { validSender }
