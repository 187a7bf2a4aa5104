import { DateTime } from 'luxon'
import Enrolment from '#models/enrolment'
import Submission from '#models/submission'
import SubmissionEvent from '#models/submission_event'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { protocolService } from '#integrations/protocol'
import { linkToSubmission, storeUpload } from '#services/submissions/attachment_service'
import { findCurrentForm } from '#services/definitions/form_service'
import { buildReceipt } from '#services/submissions/receipt_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { submissionService } from '#services/submissions/submission_service'
import { DEMO } from '#services/content/demo_content'

/** A one-page PDF that passes the attachment checks: the demo's identity document. */
const DEMO_PDF = Buffer.from('%PDF-1.4\n% documento di identità dimostrativo\n%%EOF\n')

/** The demo citizen's enrolled child (her codice fiscale matches her name, sex, birth date and place). */
export const DEMO_CHILD = DEMO.enrolment.data.student as {
  first_name: string
  last_name: string
  fiscal_code: string
  birth_date: string
  birth_place: string
}

/**
 * Gives the demo citizen an accepted application (database/demo/demo.json, `enrolment`), and so
 * an enrolment, so that "I miei iscritti" has content after `npm start`. It goes through the real steps: protocol registration
 * (the simulator), then the operator's acceptance, which creates the enrolment and computes the
 * fee. Done once: nothing happens when the citizen already has an enrolment.
 */
export async function seedDemoEnrolment(tenant: Tenant, citizen: User, operator: User) {
  await RequestContext.withTenant(tenant.ref, async () => {
    if (await Enrolment.query().where('applicant_user_id', citizen.id).first()) return
    const { form: formKey, data: demoData, document } = DEMO.enrolment
    const current = await findCurrentForm(formKey)
    if (!current) return
    const identity = await storeUpload({
      tenantId: tenant.id,
      userId: citizen.id,
      form: current.definition,
      field: document,
      fileName: 'carta_identita.pdf',
      bytes: DEMO_PDF,
      lang: 'it',
    })
    const data = {
      ...structuredClone(current.definition.sample),
      ...structuredClone(demoData),
      [document.slice(1)]: identity.reference,
    }
    const submission = await Submission.create({
      formId: current.form.id,
      formVersionId: current.version.id,
      formKey,
      applicantUserId: citizen.id,
      submittedByUserId: citizen.id,
      onBehalf: false,
      status: 'submitted',
      statusReason: null,
      data,
      protocolNumber: null,
      submittedAt: DateTime.now(),
    })
    for (const [from, to] of [
      [null, 'draft'],
      ['draft', 'submitted'],
    ] as const) {
      await SubmissionEvent.create({
        tenantId: tenant.id,
        submissionId: submission.id,
        fromStatus: from,
        toStatus: to,
        reason: null,
        userId: citizen.id,
      })
    }
    await linkToSubmission([identity.fileId], submission)
    const receipt = await buildReceipt(submission)
    const registration = await protocolService().register({
      idempotencyKey: `submission:${submission.id}`,
      direction: 'E',
      subject: `Domanda "${receipt.formTitle}" n. ${submission.id}`,
      correspondent: { firstName: 'Mario', lastName: 'Rossi', fiscalCode: citizen.fiscalCode },
      document: { fileName: `domanda-${submission.id}.pdf`, content: receipt.pdf, mimeType: 'application/pdf' },
    })
    const protocolled = await submissionService.changeStatus(submission, 'protocolled', null, null, {
      protocolNumber: registration.label,
    })
    await submissionService.changeStatus(protocolled, 'accepted', null, operator.id)
  })
}
