import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type { TenantAccess } from '#services/tenants/tenant_access'

/**
 * Rule sets beyond what TenantPolicy already says (any member lists and
 * evaluates them, since citizens need live tariffs; `editContent` publishes).
 * The content itself (tables, formulas, golden cases) is for the staff who
 * explain a fee to a citizen or change it.
 */
export default class RuleSetPolicy extends BasePolicy {
  readContent(_user: User, access: TenantAccess) {
    return access.has('operator', 'tenant_admin', 'designer')
  }
}
