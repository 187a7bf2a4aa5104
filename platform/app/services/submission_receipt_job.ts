import Submission from '#models/submission'
import { protocolService } from '#integrations/protocol'
import { sendMail } from '#services/mailer'
import { buildReceipt } from '#services/receipt_service'
import { submissionService } from '#services/submission_service'
import type { JobDefinition } from '#queue/types'

/**
 * After a submission: register it in the protocol (E, incoming), move it to
 * "protocolled" with its number, and email the receipt PDF to the applicant.
 * Every step is safe to repeat: the protocol registration is keyed by the
 * submission, and the status moves only from "submitted".
 */
export const submissionReceiptJob: JobDefinition<{ submissionId: number }> = {
  attempts: 5,
  backoffMs: 2000,
  async handle({ submissionId }, ctx) {
    let submission = await Submission.find(submissionId)
    if (!submission) return ctx.log(`submission ${submissionId} no longer exists`)
    if (!['submitted', 'protocolled'].includes(submission.status)) return

    const draft = await buildReceipt(submission)
    const [firstName, ...rest] = draft.applicant.fullName.split(' ')
    const registration = await protocolService().register({
      idempotencyKey: `submission:${submission.id}`,
      direction: 'E',
      subject: `Domanda "${draft.formTitle}" n. ${submission.id}`,
      correspondent: { firstName, lastName: rest.join(' '), fiscalCode: draft.applicant.fiscalCode },
      document: { fileName: `domanda-${submission.id}.pdf`, content: draft.pdf, mimeType: 'application/pdf' },
    })
    if (submission.status === 'submitted') {
      submission = await submissionService.changeStatus(submission, 'protocolled', null, null, {
        protocolNumber: registration.label,
      })
    }

    const receipt = await buildReceipt(submission, { label: registration.label, date: registration.date })
    await sendMail({
      to: receipt.applicant.email,
      subject: `Ricevuta domanda ${receipt.formTitle} - protocollo n. ${registration.label}`,
      text: [
        `Gentile ${receipt.applicant.fullName},`,
        '',
        `la domanda "${receipt.formTitle}" (n. ${submission.id}) è stata ricevuta da ${receipt.tenant.name}`,
        `e registrata al protocollo con il numero ${registration.label} del ${registration.date}.`,
        'In allegato la ricevuta con i dati dichiarati.',
        '',
        `Dear ${receipt.applicant.fullName}, your application was received and registered with protocol number ${registration.label}. The receipt is attached.`,
      ].join('\n'),
      attachments: [
        {
          filename: `ricevuta-${submission.id}.pdf`,
          content: Buffer.from(receipt.pdf),
          contentType: 'application/pdf',
        },
      ],
    })
  },
}
