import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type { TenantAccess } from '#services/tenants/tenant_access'

/**
 * Who reads and keeps a person's documents: the offices that accept the applications (operators
 * and tenant admins). School staff and the kitchen do not: what they need of a medical diet is the
 * diet itself, which the register and the kitchen's lists carry; the certificate behind it is
 * health data they have no need to see (GDPR art. 5(1)(c) and art. 9).
 */
export default class DocumentPolicy extends BasePolicy {
  manage(_user: User, access: TenantAccess) {
    return access.has('operator', 'tenant_admin')
  }
}
