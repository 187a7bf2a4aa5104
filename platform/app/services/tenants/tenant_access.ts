import type { Role } from '#services/tenants/roles'

/** The roles the current user holds in the current tenant. */
export class TenantAccess {
  readonly roles: ReadonlySet<Role>

  constructor(
    roles: Role[],
    readonly isPlatformAdmin: boolean
  ) {
    this.roles = new Set(roles)
  }

  has(...roles: Role[]) {
    return this.isPlatformAdmin || roles.some((role) => this.roles.has(role))
  }

  toJSON() {
    return { roles: [...this.roles], isPlatformAdmin: this.isPlatformAdmin }
  }
}
