import Submission from '#models/submission'
import FormVersion from '#models/form_version'
import Tenant from '#models/tenant'
import User from '#models/user'
import { receiptPdf } from '#services/receipt_pdf'
import { RequestContext } from '#services/request_context'
import type { Lang } from '#forms/types'

/**
 * Builds a submission's receipt from what was stored: the form version it was made on, its data, its
 * protocol. In `lang`, or else in the language the submission was sent in.
 */
export async function buildReceipt(
  submission: Submission,
  protocol?: { label: string; date: string } | null,
  lang: Lang = submission.lang
) {
  const version = await FormVersion.findOrFail(submission.formVersionId)
  const definition = version.definition as { title?: Partial<Record<Lang, string>>; schema?: Record<string, unknown> }
  const formTitle = definition.title?.[lang] ?? definition.title?.it ?? submission.formKey
  const [tenant, applicant, filer] = await RequestContext.asSystem('receipt', () =>
    Promise.all([
      Tenant.findOrFail(submission.tenantId),
      User.findOrFail(submission.applicantUserId),
      User.find(submission.submittedByUserId),
    ])
  )
  const pdf = await receiptPdf({
    tenantName: tenant.name,
    formTitle,
    submissionId: submission.id,
    protocol: protocol ?? (submission.protocolNumber ? { label: submission.protocolNumber, date: '' } : null),
    submittedAt: submission.submittedAt?.setZone('Europe/Rome').toFormat('dd/MM/yyyy HH:mm') ?? '—',
    applicant: { name: applicant.fullName, fiscalCode: applicant.fiscalCode, email: applicant.email },
    onBehalfOf: submission.onBehalf && filer ? filer.fullName : null,
    schema: definition.schema ?? {},
    data: submission.data,
    lang,
  })
  return { pdf, applicant, tenant, formTitle, lang }
}
