import Submission from '#models/submission'
import FormVersion from '#models/form_version'
import Tenant from '#models/tenant'
import User from '#models/user'
import { receiptPdf } from '#services/receipt_pdf'
import { RequestContext } from '#services/request_context'

/** Builds a submission's receipt from what was stored: the form version it was made on, its data, its protocol. */
export async function buildReceipt(submission: Submission, protocol?: { label: string; date: string } | null) {
  const version = await FormVersion.findOrFail(submission.formVersionId)
  const definition = version.definition as { title?: { it?: string }; schema?: Record<string, unknown> }
  const [tenant, applicant, filer] = await RequestContext.asSystem('receipt', () =>
    Promise.all([
      Tenant.findOrFail(submission.tenantId),
      User.findOrFail(submission.applicantUserId),
      User.find(submission.submittedByUserId),
    ])
  )
  const pdf = await receiptPdf({
    tenantName: tenant.name,
    formTitle: definition.title?.it ?? submission.formKey,
    submissionId: submission.id,
    protocol: protocol ?? (submission.protocolNumber ? { label: submission.protocolNumber, date: '' } : null),
    submittedAt: submission.submittedAt?.setZone('Europe/Rome').toFormat('dd/MM/yyyy HH:mm') ?? '—',
    applicant: { name: applicant.fullName, fiscalCode: applicant.fiscalCode, email: applicant.email },
    onBehalfOf: submission.onBehalf && filer ? filer.fullName : null,
    schema: definition.schema ?? {},
    data: submission.data,
  })
  return { pdf, applicant, tenant, formTitle: definition.title?.it ?? submission.formKey }
}
