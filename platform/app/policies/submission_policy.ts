import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type Submission from '#models/submission'
import type { TenantAccess } from '#services/tenants/tenant_access'

/**
 * Who may read and act on submissions in a tenant. Citizens see and edit
 * only what is theirs (they are the applicant); operators and tenant admins
 * handle every submission of the tenant and may act on a citizen's behalf
 * (procura).
 */
export default class SubmissionPolicy extends BasePolicy {
  /** Any member of the tenant may apply for themselves. */
  apply(_user: User, access: TenantAccess) {
    return access.isPlatformAdmin || access.roles.size > 0
  }

  viewAll(_user: User, access: TenantAccess) {
    return access.has('operator', 'tenant_admin')
  }

  view(user: User, access: TenantAccess, submission: Submission) {
    return submission.applicantUserId === user.id || this.viewAll(user, access)
  }

  edit(user: User, access: TenantAccess, submission: Submission) {
    return this.view(user, access, submission)
  }

  actOnBehalf(_user: User, access: TenantAccess) {
    return access.has('operator', 'tenant_admin')
  }

  changeStatus(_user: User, access: TenantAccess) {
    return access.has('operator', 'tenant_admin')
  }
}
