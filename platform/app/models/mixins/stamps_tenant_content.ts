import type { NormalizeConstructor } from '@adonisjs/core/types/helpers'
import { BaseModel, afterDelete, afterSave } from '@adonisjs/lucid/orm'
import { renewContentStamp } from '#services/tenants/tenant_content'

/**
 * For tenant content that processes keep between requests (tenant_content.ts): every write renews
 * the tenant's content stamp in the write's own transaction, so the change is seen by every
 * process from its next request on, and a rolled-back write leaves the stamp as it was.
 */
export function StampsTenantContent<T extends NormalizeConstructor<typeof BaseModel>>(superclass: T) {
  class StampedModel extends superclass {
    declare tenantId: number

    @afterSave()
    static async renewStampOnSave(row: StampedModel) {
      await renewContentStamp(row.tenantId, row.$trx)
    }

    @afterDelete()
    static async renewStampOnDelete(row: StampedModel) {
      await renewContentStamp(row.tenantId, row.$trx)
    }
  }
  return StampedModel
}
