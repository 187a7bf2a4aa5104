import nodemailer, { type Transporter } from 'nodemailer'
import logger from '@adonisjs/core/services/logger'

/**
 * Outgoing email over SMTP (SMTP_URL, e.g. smtp://user:pass@host:587). The
 * demo points it at the local capture server (mail_capture.ts); without any
 * SMTP configured a message is not sent and the log says so.
 */
export interface MailMessage {
  to: string
  subject: string
  text: string
  /** The sender, when not the platform's (MAIL_FROM): a tenant's notices go out in its name. */
  from?: string
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>
  /**
   * A Message-ID fixed by the sender (`<...@...>`): a job sending the same message again after a
   * crash (at-least-once delivery) sends it under the same identity, which mail systems and
   * readers recognise as one message.
   */
  messageId?: string
}

let transport: Transporter | null | undefined
let from = 'Sportello <noreply@sportello.local>'

export function configureMailer(smtpUrl: string | undefined, sender?: string) {
  transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : null
  if (sender) from = sender
}

export async function sendMail(message: MailMessage): Promise<{ sent: boolean; messageId?: string }> {
  if (transport === undefined) {
    const { default: env } = await import('#start/env')
    configureMailer(env.get('SMTP_URL'), env.get('MAIL_FROM'))
  }
  if (!transport) {
    logger.warn(`No SMTP server configured (SMTP_URL): mail "${message.subject}" to ${message.to} not sent`)
    return { sent: false }
  }
  const info = await transport.sendMail({ from, ...message })
  return { sent: true, messageId: info.messageId }
}
