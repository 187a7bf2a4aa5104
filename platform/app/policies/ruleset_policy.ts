import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type { TenantAccess } from '#services/tenants/tenant_access'
import type Tenant from '#models/tenant'
import { designerSettingsOf } from '#services/tenants/designer_settings'

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

  /** Drafts in the designer: the people who prepare a change. */
  editDraft(_user: User, access: TenantAccess) {
    return access.has('tenant_admin', 'designer')
  }

  /** Putting a version in force: a tenant admin, or a designer where the tenant's settings allow it. */
  publish(_user: User, access: TenantAccess, tenant: Tenant) {
    if (access.has('tenant_admin')) return true
    return access.roles.has('designer') && designerSettingsOf(tenant.settings).designers_publish
  }
}
