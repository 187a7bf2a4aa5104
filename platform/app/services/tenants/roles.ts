import { ROLES, type Role } from '#shared/contract'

/**
 * The roles a membership can hold in a tenant (platform_admin is a user flag across tenants).
 * Defined with the portal (platform/shared/contract.ts), whose navigation depends on them.
 */
export { ROLES, type Role }

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}
