import { currentLanguage, t } from '#i18n/catalogue'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import Tenant from '#models/tenant'
import Membership from '#models/membership'
import { RequestContext } from '#services/infrastructure/request_context'
import { TenantAccess } from '#services/tenants/tenant_access'

/**
 * Resolves `:tenant` (the slug) and binds the request to it: from here on
 * every tenant-scoped query sees only this tenant. A user who is neither a
 * member of the tenant nor a platform admin is refused before any query runs.
 */
export default class TenantMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const slug = ctx.params.tenant
    const tenant = await Tenant.findBy('slug', slug)
    if (!tenant) {
      return ctx.response.notFound({ errors: [{ message: t(currentLanguage(), 'tenant.notFound', { slug }) }] })
    }
    const user = ctx.auth.getUserOrFail()
    const membership = await RequestContext.withTenant(tenant.ref, () =>
      Membership.query().where('user_id', user.id).first()
    )
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
