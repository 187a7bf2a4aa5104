export const policies = {
  TenantPolicy: () => import('#policies/tenant_policy'),
}
