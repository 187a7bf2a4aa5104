import Submission from '#models/submission'
import { protocolService } from '#integrations/protocol'
import { sendMail } from '#services/infrastructure/mailer'
import { receiptDrawing, receiptSource, renderReceipt } from '#services/submissions/receipt_service'
import { submissionService } from '#services/submissions/submission_service'
import { externalAttempts } from '#services/infrastructure/external_attempts'
import type { JobDefinition } from '#queue/types'
import type { Lang } from '#forms/types'

type MailFacts = { name: string; formTitle: string; id: number; tenant: string; protocol: string; date: string }

/** The receipt's email, in the language the submission was sent in; the protocol number and date as issued. */
export function receiptMail(lang: Lang, f: MailFacts): { subject: string; text: string } {
  if (lang === 'en') {
    return {
      subject: `Application receipt ${f.formTitle} - protocol no. ${f.protocol}`,
      text: [
        `Dear ${f.name},`,
        '',
        `your application "${f.formTitle}" (no. ${f.id}) has been received by ${f.tenant}`,
        `and registered with protocol number ${f.protocol} of ${f.date}.`,
        'The receipt with the data you declared is attached.',
      ].join('\n'),
    }
  }
  return {
    subject: `Ricevuta domanda ${f.formTitle} - protocollo n. ${f.protocol}`,
    text: [
      `Gentile ${f.name},`,
      '',
      `la domanda "${f.formTitle}" (n. ${f.id}) è stata ricevuta da ${f.tenant}`,
      `e registrata al protocollo con il numero ${f.protocol} del ${f.date}.`,
      'In allegato la ricevuta con i dati dichiarati.',
    ].join('\n'),
  }
}

/**
 * Whether a failed SMTP sending certainly left the message behind: the server
 * answered with a refusal (a 4xx/5xx reply, at any stage, means it did not take
 * the message), or the connection, login or envelope failed before the message
 * was transmitted. Anything else (a timeout or a dropped connection while the
 * message or its final reply was on the wire) may have delivered it.
 */
function mailCertainlyNotSent(error: unknown) {
  const e = (error ?? {}) as { responseCode?: unknown; command?: unknown; code?: unknown }
  if (typeof e.responseCode === 'number') return true
  if (e.command === 'CONN') return true
  return ['EENVELOPE', 'EAUTH', 'ETLS', 'EDNS', 'ECONNREFUSED'].includes(String(e.code))
}

/**
 * After a submission: register it in the protocol (E, incoming), move it to
 * "protocolled" with its number, and email the receipt PDF to the applicant.
 * Every step is safe to repeat: the protocol registration is keyed by the
 * submission (and a DOCAREA one recorded as an attempt before it is sent), the
 * status moves only from "submitted", and the email is sent at most once per
 * sending (below).
 */
export const submissionReceiptJob: JobDefinition<{ submissionId: number }> = {
  attempts: 5,
  backoffMs: 2000,
  async handle({ submissionId }, ctx) {
    let submission = await Submission.find(submissionId)
    if (!submission) return ctx.log(`submission ${submissionId} no longer exists`)
    if (!['submitted', 'protocolled'].includes(submission.status)) return
    const about = { type: 'submission', id: submission.id } as const

    // What both receipts print (the version, the tenant, the applicant, the catalog's names, the fee) is
    // read once for the two of them.
    const source = await receiptSource(submission)
    // The copy filed in the protocol is the office's record: in Italian, whatever the applicant's language.
    const filed = await receiptDrawing(source, 'it')
    const draft = { applicant: filed.applicant, formTitle: filed.formTitle, pdf: await filed.save() }
    const [firstName, ...rest] = draft.applicant.fullName.split(' ')
    const registration = await protocolService().register({
      idempotencyKey: `submission:${submission.id}`,
      direction: 'E',
      subject: `Domanda "${draft.formTitle}" n. ${submission.id}`,
      correspondent: { firstName, lastName: rest.join(' '), fiscalCode: draft.applicant.fiscalCode },
      document: { fileName: `domanda-${submission.id}.pdf`, content: draft.pdf, mimeType: 'application/pdf' },
      about,
    })
    if (submission.status === 'submitted') {
      // The row read above, moved without being read again unless it changed meanwhile.
      submission = await submissionService.changeStatus(submission, 'protocolled', null, null, {
        protocolNumber: registration.label,
        asRead: true,
      })
    }

    // The applicant's copy, with the number: in Italian it is the filed drawing saved with its number.
    const protocol = { label: registration.label, date: registration.date }
    const lang = submission.lang ?? 'it'
    const receipt =
      lang === filed.lang ? { ...filed, pdf: await filed.save(protocol) } : await renderReceipt(source, protocol, lang)
    const mail = receiptMail(receipt.lang, {
      name: receipt.applicant.fullName,
      formTitle: receipt.formTitle,
      id: submission.id,
      tenant: receipt.tenant.name,
      protocol: registration.label,
      date: registration.date,
    })
    // One email per sending, even across crashes: the attempt is recorded (committed) right before
    // the SMTP exchange and closed right after it; a retry that finds it done sends nothing.
    // The remaining window is the exchange itself and the write that closes it: if the process
    // dies after the record and before closing it, the retry cannot tell whether the server took
    // the message, and flags it for an operator (needs_review) instead of sending again. So a
    // receipt is never emailed twice; one interrupted in that window waits for a person, and the
    // receipt stays downloadable in the portal meanwhile.
    const begun = await externalAttempts.begin({
      kind: 'mail',
      key: `receipt:${submission.tenantId}:${submission.id}:${submission.submittedAt?.toMillis()}`,
      tenantId: submission.tenantId,
      subject: about,
    })
    if (begun.state === 'done') return
    let sent: Awaited<ReturnType<typeof sendMail>>
    try {
      sent = await sendMail({
        // One identity per sending: should a copy ever go out twice, it is the same message.
        messageId: `<receipt.${submission.tenantId}.${submission.id}.${submission.submittedAt?.toMillis() ?? 0}@sportello>`,
        to: receipt.applicant.email,
        ...mail,
        attachments: [
          {
            filename: `${receipt.lang === 'en' ? 'receipt' : 'ricevuta'}-${submission.id}.pdf`,
            content: Buffer.from(receipt.pdf),
            contentType: 'application/pdf',
          },
        ],
      })
    } catch (error) {
      if (!mailCertainlyNotSent(error)) {
        return externalAttempts.flag(begun.attempt, `SMTP: ${(error as Error).message}`)
      }
      await externalAttempts.abandon(begun.attempt)
      throw error
    }
    await externalAttempts.complete(begun.attempt, sent)
  },
}
