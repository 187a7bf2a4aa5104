import { BasePolicy } from '@adonisjs/bouncer'
import type User from '#models/user'
import type { TenantAccess } from '#services/tenants/tenant_access'

/** A form's BLOCCO rules in the designer: the people who prepare a change try them on sample data. */
export default class FormBlocchiPolicy extends BasePolicy {
  tryRules(_user: User, access: TenantAccess) {
    return access.has('tenant_admin', 'designer')
  }
}
