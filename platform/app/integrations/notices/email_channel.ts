import { sendMail } from '#services/infrastructure/mailer'
import { ServiceUnavailableError } from '#integrations/http/http_call'
import {
  undeliverable,
  type NoticeChannel,
  type NoticeMessage,
  type NoticeOutcome,
} from '#integrations/notices/notice_channel'

/**
 * Notices by email through the platform's SMTP mailer (SMTP_URL). A family with no address is
 * undeliverable on this channel; a relay that is missing or fails is worth retrying later. SMTP has
 * no idempotency key: once the relay accepted a message, a second send would deliver it twice.
 */
export class EmailChannel implements NoticeChannel {
  readonly name = 'email' as const
  readonly idempotentProvider = false

  constructor(private options: { from?: string | null } = {}) {}

  async send(message: NoticeMessage): Promise<NoticeOutcome> {
    const to = message.recipient.email?.trim()
    if (!to) return undeliverable('nessun indirizzo email', 'no email address')
    let result: { sent: boolean; messageId?: string }
    try {
      result = await sendMail({
        to,
        subject: message.subject,
        text: message.text,
        ...(this.options.from ? { from: this.options.from } : {}),
        attachments: (message.attachments ?? []).map((a) => ({
          filename: a.filename,
          content: Buffer.from(a.content),
          contentType: a.contentType,
        })),
      })
    } catch (error) {
      throw new ServiceUnavailableError('SMTP send', (error as Error).message, null, null, { cause: error })
    }
    if (!result.sent) throw new ServiceUnavailableError('SMTP send', 'no SMTP server configured (SMTP_URL)', null)
    return { status: 'sent', providerId: result.messageId ?? null }
  }
}
