import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type { TenantAccess } from '#services/tenants/tenant_access'

/**
 * The school catalog: every member reads it (citizens choose their school from it, TenantPolicy
 * `view`); the back office keeps it up to date, and sees the schools and classes it deactivated.
 */
export default class CatalogPolicy extends BasePolicy {
  manage(_user: User, access: TenantAccess) {
    return access.has('operator', 'tenant_admin')
  }
}
