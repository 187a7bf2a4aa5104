/**
 * A notice to a family (a payment notice, a reminder, an arrears letter) and the channels it can go
 * through: email, SMS, App IO, post. Each channel sends one message and answers an outcome with the
 * provider's id; the notice service (notice_service.ts) records every notice once, by its
 * idempotency key, before calling a channel, so no notice is sent twice.
 */
export const NOTICE_CHANNELS = ['email', 'sms', 'io', 'post'] as const
export type ChannelName = (typeof NOTICE_CHANNELS)[number]

export interface PostalAddress {
  /** Street and number, "presso" lines. */
  lines: string[]
  postalCode: string
  city: string
  /** Two-letter province code (PC, MI, …). */
  province?: string | null
  /** ISO country code, IT when absent. */
  country?: string | null
}

export interface NoticeMessage {
  /** Business key of this notice (e.g. "sollecito:<iupd>:sms"): the same key is never sent twice. */
  idempotencyKey: string
  recipient: {
    name: string
    email?: string | null
    /** Mobile number, with or without +39. */
    phone?: string | null
    fiscalCode?: string | null
    address?: PostalAddress | null
  }
  /** Email subject, IO subject (10–120 characters), the post manifest's reference. */
  subject: string
  /** Plain text: the email body, the SMS text. */
  text: string
  /** App IO's body (80–10000 characters of Markdown); the text when absent. */
  markdown?: string
  /** A pagoPA payment the notice asks for: App IO shows a Pay button with it. */
  payment?: {
    amountCents: number
    noticeNumber: string
    /** The ente's fiscal code (11 digits). */
    payeeFiscalCode: string
    /** ISO date. */
    dueDate?: string | null
  } | null
  /** PDFs: the email attachments; for post, the first is the document that is printed. */
  attachments?: Array<{ filename: string; content: Uint8Array; contentType: string }>
  /** Post: registered mail (raccomandata). */
  registered?: boolean
}

export interface NoticeOutcome {
  /** sent: the provider took it; undeliverable: this recipient cannot be reached on this channel. */
  status: 'sent' | 'undeliverable'
  /** The provider's id of the message (SMTP Message-ID, SMS id, IO message id, batch/file). */
  providerId: string | null
  detail?: { it: string; en: string }
}

export interface NoticeChannel {
  readonly name: ChannelName
  /**
   * True when sending the same message twice cannot deliver it twice (the provider keeps our key, or
   * the write is an overwrite): the service may then retry a send whose outcome it never learnt.
   */
  readonly idempotentProvider: boolean
  send(message: NoticeMessage): Promise<NoticeOutcome>
}

/** The message cannot go as it is (a bad number, a text too long): sending it again will not help. */
export class NoticeRefusedError extends Error {
  constructor(
    readonly channel: ChannelName,
    readonly field: string,
    readonly messages: { it: string; en: string }
  ) {
    super(`${channel} notice refused, ${field}: ${messages.en}`)
    this.name = 'NoticeRefusedError'
  }
}

export function undeliverable(it: string, en: string): NoticeOutcome {
  return { status: 'undeliverable', providerId: null, detail: { it, en } }
}
