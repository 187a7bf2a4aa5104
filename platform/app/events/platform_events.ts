import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Form from '#models/form'
import { emitDomainEvent } from '#events/domain_events'

/**
 * The platform's own announcements, called from the one place each thing happens: a submission's
 * move (submission_service.ts, where every move is recorded) and a tenant's creation (the Tenant
 * model). Enrolments announce themselves in enrolment_service.ts.
 */
/** What an announcement reads of a submission and of a tenant (the models import this module). */
interface MovedSubmission {
  id: number
  formId: number
  formKey: string
  applicantUserId: number
}

interface CreatedTenant {
  id: number
  slug: string
  $trx?: TransactionClientContract
}

const SUBMISSION_EVENTS = {
  submitted: 'submission.submitted',
  accepted: 'submission.accepted',
  rejected: 'submission.rejected',
} as const

export async function announceSubmissionMove(
  trx: TransactionClientContract,
  row: MovedSubmission,
  from: string | null,
  to: string,
  /** The form's service when the caller holds the form already (a sending does): not read again. */
  knownService?: string
) {
  const name = SUBMISSION_EVENTS[to as keyof typeof SUBMISSION_EVENTS]
  if (!name) return
  const service =
    knownService ?? (await Form.query({ client: trx }).where('id', row.formId).select('service').firstOrFail()).service
  await emitDomainEvent(
    name,
    {
      submissionId: row.id,
      formKey: row.formKey,
      service,
      applicantUserId: row.applicantUserId,
      fromStatus: from,
      toStatus: to,
    },
    { trx }
  )
}

export async function announceTenantCreation(tenant: CreatedTenant) {
  await emitDomainEvent(
    'tenant.created',
    { tenantId: tenant.id, slug: tenant.slug },
    { trx: tenant.$trx ?? null, tenant: { id: tenant.id, slug: tenant.slug } }
  )
}
