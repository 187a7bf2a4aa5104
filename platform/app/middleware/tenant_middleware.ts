import { currentLanguage, t } from '#i18n/catalogue'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import Tenant from '#models/tenant'
import { jsonColumn } from '#models/columns'
import type { Role } from '#services/tenants/roles'
import { RequestContext } from '#services/infrastructure/request_context'
import { TenantAccess } from '#services/tenants/tenant_access'

/** The membership read beside the tenant row (null when the user is not a member). */
function membershipOf(tenant: Tenant): { roles: Role[] } | null {
  const { membership_id: id, membership_roles: roles } = tenant.$extras as Record<string, unknown>
  if (id === null || id === undefined) return null
  const parsed = jsonColumn.consume(roles)
  return { roles: Array.isArray(parsed) ? (parsed as Role[]) : [] }
}

/**
 * Resolves `:tenant` (the slug) and binds the request to it: from here on
 * every tenant-scoped query sees only this tenant. A user who is neither a
 * member of the tenant nor a platform admin is refused before any query runs.
 */
export default class TenantMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const slug = ctx.params.tenant
    const user = ctx.auth.getUserOrFail()
    // The tenant and the user's membership in it, read with the user by the auth middleware's
    // authentication (user_with_tenant_provider.ts), else here in one read. Both are read afresh at
    // each request, never kept: the tenant row carries the content stamp that tells every process
    // when its cached catalog and forms are stale, and a role taken away in another process must
    // count at once. The join names the tenant itself: the membership is the one of this tenant's
    // row, as the scoped query of Membership would find it.
    const read = RequestContext.takeTenantRead(slug, user.id)
    const tenant = read
      ? (read.row as Tenant | null)
      : await Tenant.query()
          .where('tenants.slug', slug)
          .leftJoin('memberships', (join) =>
            join.on('memberships.tenant_id', '=', 'tenants.id').andOnVal('memberships.user_id', '=', user.id)
          )
          .select('tenants.*', 'memberships.id as membership_id', 'memberships.roles as membership_roles')
          .first()
    if (!tenant) {
      return ctx.response.notFound({ errors: [{ message: t(currentLanguage(), 'tenant.notFound', { slug }) }] })
    }
    const membership = membershipOf(tenant)
    if (!membership && !user.isPlatformAdmin) {
      return ctx.response.forbidden({
        errors: [{ message: t(currentLanguage(), 'tenant.noAccess', { slug }) }],
      })
    }
    RequestContext.setTenant(tenant.ref)
    // What this process keeps of the tenant's catalog, services and forms is good under this stamp.
    RequestContext.setContentStamp(tenant.id, tenant.contentStamp ?? null)
    RequestContext.setTenantSettings(tenant.id, tenant.settings)
    ctx.tenant = tenant
    ctx.access = new TenantAccess(membership?.roles ?? [], user.isPlatformAdmin)
    return next()
  }
}

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    tenant: Tenant
    access: TenantAccess
  }
}
