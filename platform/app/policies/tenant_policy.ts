import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type { TenantAccess } from '#services/tenants/tenant_access'

/** What a user may do within a tenant, from the roles of their membership there. */
export default class TenantPolicy extends BasePolicy {
  view(_user: User, access: TenantAccess) {
    return access.isPlatformAdmin || access.roles.size > 0
  }

  manage(_user: User, access: TenantAccess) {
    return access.has('tenant_admin')
  }

  viewAudit(_user: User, access: TenantAccess) {
    return access.has('tenant_admin')
  }

  editContent(_user: User, access: TenantAccess) {
    return access.has('tenant_admin', 'designer')
  }
}
