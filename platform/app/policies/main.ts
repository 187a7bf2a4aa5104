export const policies = {
  TenantPolicy: () => import('#policies/tenant_policy'),
  SubmissionPolicy: () => import('#policies/submission_policy'),
  EnrolmentPolicy: () => import('#policies/enrolment_policy'),
  DocumentPolicy: () => import('#policies/document_policy'),
}
