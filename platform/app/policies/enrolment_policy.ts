import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type Enrolment from '#models/enrolment'
import type { TenantAccess } from '#services/tenants/tenant_access'

/**
 * Who reads enrolments. A citizen sees the children they applied for;
 * operators and tenant admins, who accept the submissions, see every
 * enrolment of the tenant.
 */
export default class EnrolmentPolicy extends BasePolicy {
  viewAll(_user: User, access: TenantAccess) {
    return access.has('operator', 'tenant_admin')
  }

  /** The fee set by hand (Allegato A): the offices that accept the applications. */
  overrideFee(_user: User, access: TenantAccess) {
    return access.has('operator', 'tenant_admin')
  }

  view(user: User, access: TenantAccess, enrolment: Enrolment) {
    return enrolment.applicantUserId === user.id || this.viewAll(user, access)
  }
}
