import type { NormalizeConstructor } from '@adonisjs/core/types/helpers'
import { column } from '#models/columns'
import { BaseModel, beforeCreate, beforeSave } from '@adonisjs/lucid/orm'
import type { LucidModel, ModelAdapterOptions, ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import { MissingTenantContextError, RequestContext } from '#services/infrastructure/request_context'

/**
 * Tenant isolation, enforced here and nowhere else: every query of a
 * tenant-owned model is filtered by the tenant of the current context
 * (request, job or command), every new row gets that tenant, and a row can
 * never be saved into another tenant. Without a tenant in context the query
 * fails closed, unless platform code opened a context that spans all tenants.
 */
export function TenantScoped<T extends NormalizeConstructor<typeof BaseModel>>(superclass: T) {
  class TenantScopedModel extends superclass {
    @column()
    declare tenantId: number

    static query<Model extends LucidModel>(
      this: Model,
      options?: ModelAdapterOptions
    ): ModelQueryBuilderContract<Model, InstanceType<Model>> {
      const query = (superclass as unknown as Model).query.call(this, options) as ModelQueryBuilderContract<
        Model,
        InstanceType<Model>
      >
      const tenant = RequestContext.tenant()
      if (tenant) {
        query.where(`${this.table}.tenant_id`, tenant.id)
      } else if (!RequestContext.spansAllTenants()) {
        throw new MissingTenantContextError(this.name)
      }
      return query
    }

    @beforeCreate()
    static assignTenant(row: TenantScopedModel) {
      const tenant = RequestContext.tenant()
      if (row.tenantId === undefined && tenant) row.tenantId = tenant.id
      if (row.tenantId === undefined) throw new MissingTenantContextError(this.name)
    }

    @beforeSave()
    static refuseForeignTenant(row: TenantScopedModel) {
      const tenant = RequestContext.tenant()
      if (tenant && row.tenantId !== tenant.id) {
        throw new Error(`${this.name}: refusing to write a row of another tenant`)
      }
    }
  }
  return TenantScopedModel
}
