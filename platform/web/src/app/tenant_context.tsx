import { createContext, useContext } from 'react'
import type { MeDto, Role, TenantIdentity } from '#shared/contract'

/** The tenant the page is about (the `:tenant` of the route), with the user's roles there. */
export interface CurrentTenant {
  slug: string
  name: string
  roles: ReadonlySet<Role>
  identity: TenantIdentity
  /** The plugins enabled in the tenant; null until the tenant's answer arrives. */
  plugins: ReadonlySet<string> | null
}

export const TenantContext = createContext<CurrentTenant | null>(null)

/** The current tenant; only inside the /t/:tenant routes. */
export function useCurrentTenant(): CurrentTenant {
  const tenant = useContext(TenantContext)
  if (!tenant) throw new Error('useCurrentTenant outside a tenant route')
  return tenant
}

/** The user's roles in a tenant; a platform admin holds `platform_admin` everywhere. */
export function rolesIn(me: MeDto, slug: string): ReadonlySet<Role> {
  const roles = new Set<Role>(me.tenants.find((t) => t.slug === slug)?.roles ?? [])
  if (me.isPlatformAdmin) roles.add('platform_admin')
  return roles
}

/** Whether a page open to `allowed` (absent: every member) can be opened with these roles. */
export function mayOpen(allowed: readonly Role[] | undefined, roles: ReadonlySet<Role>): boolean {
  if (roles.size === 0) return false
  return !allowed || allowed.some((r) => roles.has(r))
}

/** The roles of the offices: they work in the back office (`/t/:tenant/ufficio`). */
export const STAFF_ROLES: readonly Role[] = [
  'operator',
  'tenant_admin',
  'school_staff',
  'kitchen',
  'designer',
  'platform_admin',
]

/** Whether a page belongs to a plugin the tenant has not enabled (unknown until the tenant is read). */
export function pluginOff(plugin: string | undefined, plugins: ReadonlySet<string> | null): boolean {
  return plugin !== undefined && (plugins === null || !plugins.has(plugin))
}
