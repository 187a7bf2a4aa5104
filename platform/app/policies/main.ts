export const policies = {
  TenantPolicy: () => import('#policies/tenant_policy'),
  SubmissionPolicy: () => import('#policies/submission_policy'),
}
