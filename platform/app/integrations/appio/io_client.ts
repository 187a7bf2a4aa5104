import { DateTime } from 'luxon'
import { httpCall, parseJson, ServiceUnavailableError } from '#integrations/http/http_call'
import {
  NoticeRefusedError,
  undeliverable,
  type NoticeChannel,
  type NoticeMessage,
  type NoticeOutcome,
} from '#integrations/notices/notice_channel'

/**
 * App IO, the services API (io-functions-services_openapi_index.yaml, base path /api/v1, key in
 * Ocp-Apim-Subscription-Key): a message goes only to a citizen whose profile exists and allows our
 * service (`POST /profiles` → `sender_allowed`), with a subject of 10–120 characters, a Markdown
 * body of 80–10000, and, for a payment, `payment_data` (amount in cents, the 18-digit notice number,
 * the payee's fiscal code) so the app shows a Pay button. A 429 is waited out as Retry-After asks,
 * with backoff, a few times; then the notice is left to the queue's retry.
 */
export interface IoConfig {
  /** e.g. https://api.io.pagopa.it (the client adds /api/v1). */
  url: string
  subscriptionKey: () => string
  timeoutMs?: number
  attempts?: number
  backoffMs?: number
  maxRetryAfterMs?: number
}

export interface IoMessage {
  fiscalCode: string
  subject: string
  markdown: string
  /** ISO date or date-time. */
  dueDate?: string | null
  payment?: { amountCents: number; noticeNumber: string; payeeFiscalCode: string } | null
}

export type IoSendResult = { status: 'sent'; id: string } | { status: 'not_on_io' | 'sender_not_allowed'; id: null }

const FISCAL_CODE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/

export class IoMessageError extends NoticeRefusedError {
  constructor(field: string, messages: { it: string; en: string }) {
    super('io', field, messages)
    this.name = 'IoMessageError'
  }
}

export class IoError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    detail: string
  ) {
    super(`App IO ${operation} refused (HTTP ${status}): ${detail}`)
    this.name = 'IoError'
  }
}

/** Checks a message against the API's limits before it leaves, each problem in Italian and English. */
export function checkIoMessage(message: IoMessage) {
  if (!FISCAL_CODE.test(message.fiscalCode)) {
    throw new IoMessageError('fiscal_code', {
      it: `"${message.fiscalCode}" non è un codice fiscale di persona fisica`,
      en: `"${message.fiscalCode}" is not a natural person's fiscal code`,
    })
  }
  const subject = message.subject.trim()
  if (subject.length < 10 || subject.length > 120) {
    throw new IoMessageError('content.subject', {
      it: `l'oggetto deve avere da 10 a 120 caratteri, ne ha ${subject.length}`,
      en: `the subject must be 10 to 120 characters long, it is ${subject.length}`,
    })
  }
  if (message.markdown.length < 80 || message.markdown.length > 10_000) {
    throw new IoMessageError('content.markdown', {
      it: `il testo deve avere da 80 a 10000 caratteri, ne ha ${message.markdown.length}`,
      en: `the text must be 80 to 10000 characters long, it is ${message.markdown.length}`,
    })
  }
  const payment = message.payment
  if (payment) {
    if (!Number.isSafeInteger(payment.amountCents) || payment.amountCents < 1 || payment.amountCents > 9_999_999_999) {
      throw new IoMessageError('content.payment_data.amount', {
        it: 'l’importo deve essere un numero intero di centesimi tra 1 e 9999999999',
        en: 'the amount must be a whole number of cents between 1 and 9999999999',
      })
    }
    if (!/^[0123][0-9]{17}$/.test(payment.noticeNumber)) {
      throw new IoMessageError('content.payment_data.notice_number', {
        it: `il numero avviso deve avere 18 cifre, non "${payment.noticeNumber}"`,
        en: `the notice number must be 18 digits, not "${payment.noticeNumber}"`,
      })
    }
    if (!/^\d{11}$/.test(payment.payeeFiscalCode)) {
      throw new IoMessageError('content.payment_data.payee.fiscal_code', {
        it: 'il codice fiscale dell’ente deve avere 11 cifre',
        en: 'the payee’s fiscal code must be 11 digits',
      })
    }
  }
}

/** A due date as IO wants it: UTC ISO; a calendar day means its end in Rome. */
function dueDateUtc(value: string) {
  const parsed = DateTime.fromISO(value, { zone: 'Europe/Rome' })
  if (!parsed.isValid) {
    throw new IoMessageError('content.due_date', { it: `"${value}" non è una data`, en: `"${value}" is not a date` })
  }
  return (value.length === 10 ? parsed.endOf('day') : parsed).toUTC().toISO()!
}

export class IoClient {
  constructor(private config: IoConfig) {}

  #call(operation: string, path: string, json: unknown) {
    return httpCall({
      operation: `App IO ${operation}`,
      method: 'POST',
      url: `${this.config.url.replace(/\/+$/, '')}/api/v1${path}`,
      headers: { 'Ocp-Apim-Subscription-Key': this.config.subscriptionKey() },
      json,
      timeoutMs: this.config.timeoutMs,
      attempts: this.config.attempts ?? 5,
      backoffMs: this.config.backoffMs ?? 1000,
      maxRetryAfterMs: this.config.maxRetryAfterMs ?? 60_000,
    })
  }

  #refused(operation: string, status: number, text: string): never {
    let detail = text.slice(0, 300)
    try {
      const problem = JSON.parse(text) as { title?: string; detail?: string }
      detail = problem.detail ?? problem.title ?? detail
    } catch {
      // Not a ProblemJson: keep the text.
    }
    if (status === 401 || status === 403) detail = `${detail || 'not authorised'}: check the IO service key`
    throw new IoError(operation, status, detail)
  }

  /** The citizen's profile as our service sees it; null when the citizen is not on IO. */
  async profile(fiscalCode: string): Promise<{ senderAllowed: boolean; preferredLanguages: string[] } | null> {
    const answer = await this.#call('getProfileByPOST', '/profiles', { fiscal_code: fiscalCode })
    if (answer.status === 404) return null
    if (answer.status !== 200) this.#refused('getProfileByPOST', answer.status, answer.text)
    const body = parseJson<{ sender_allowed?: boolean; preferred_languages?: string[] }>(
      answer,
      'App IO getProfileByPOST'
    )
    return { senderAllowed: body.sender_allowed === true, preferredLanguages: body.preferred_languages ?? [] }
  }

  /** Submits without the profile check: call send() unless the check was just made. */
  async submit(message: IoMessage): Promise<{ id: string }> {
    checkIoMessage(message)
    const content: Record<string, unknown> = { subject: message.subject.trim(), markdown: message.markdown }
    if (message.dueDate) content.due_date = dueDateUtc(message.dueDate)
    if (message.payment) {
      content.payment_data = {
        amount: message.payment.amountCents,
        notice_number: message.payment.noticeNumber,
        payee: { fiscal_code: message.payment.payeeFiscalCode },
      }
    }
    const answer = await this.#call('submitMessage', '/messages', { fiscal_code: message.fiscalCode, content })
    if (answer.status !== 201) this.#refused('submitMessage', answer.status, answer.text)
    const body = parseJson<{ id?: string }>(answer, 'App IO submitMessage')
    if (!body.id) throw new ServiceUnavailableError('App IO submitMessage', 'answer without a message id', 201)
    return { id: body.id }
  }

  /** The profile check, then the message only when the citizen allows our service. */
  async send(message: IoMessage): Promise<IoSendResult> {
    checkIoMessage(message)
    const profile = await this.profile(message.fiscalCode)
    if (!profile) return { status: 'not_on_io', id: null }
    if (!profile.senderAllowed) return { status: 'sender_not_allowed', id: null }
    return { status: 'sent', ...(await this.submit(message)) }
  }
}

/** The App IO notice channel. IO keeps no idempotency key: a message it accepted is never sent again. */
export class IoChannel implements NoticeChannel {
  readonly name = 'io' as const
  readonly idempotentProvider = false

  constructor(private client: IoClient) {}

  async send(message: NoticeMessage): Promise<NoticeOutcome> {
    const fiscalCode = message.recipient.fiscalCode?.trim().toUpperCase()
    if (!fiscalCode) return undeliverable('nessun codice fiscale', 'no fiscal code')
    let result: IoSendResult
    try {
      result = await this.client.send({
        fiscalCode,
        subject: message.subject,
        markdown: message.markdown ?? message.text,
        dueDate: message.payment?.dueDate ?? null,
        payment: message.payment ?? null,
      })
    } catch (error) {
      // IO refused the payload itself: sending it again would be refused again.
      if (error instanceof IoError && error.status === 400) {
        throw new NoticeRefusedError('io', 'content', { it: error.message, en: error.message })
      }
      throw error
    }
    if (result.status === 'not_on_io')
      return undeliverable('il cittadino non usa App IO', 'the citizen is not on App IO')
    if (result.status === 'sender_not_allowed') {
      return undeliverable(
        'il cittadino ha disattivato i messaggi di questo servizio su IO',
        'the citizen turned this service off on IO'
      )
    }
    return { status: 'sent', providerId: result.id }
  }
}
