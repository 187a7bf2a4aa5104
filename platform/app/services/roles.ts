/** The roles a membership can hold in a tenant (platform_admin is a user flag across tenants). */
export const ROLES = [
  'citizen',
  'school_staff',
  'kitchen',
  'operator',
  'tenant_admin',
  'designer',
  'platform_admin',
] as const

export type Role = (typeof ROLES)[number]

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}
