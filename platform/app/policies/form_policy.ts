import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type { TenantAccess } from '#services/tenants/tenant_access'
import type Tenant from '#models/tenant'
import { designerSettingsOf } from '#services/tenants/designer_settings'

/**
 * Forms in the designer, as for rule sets: designers and tenant admins read versions and shape
 * drafts; a tenant admin publishes, or a designer where the tenant's settings allow it.
 */
export default class FormPolicy extends BasePolicy {
  editDraft(_user: User, access: TenantAccess) {
    return access.has('tenant_admin', 'designer')
  }

  publish(_user: User, access: TenantAccess, tenant: Tenant) {
    if (access.has('tenant_admin')) return true
    return access.roles.has('designer') && designerSettingsOf(tenant.settings).designers_publish
  }
}
