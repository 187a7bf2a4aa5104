import type Tenant from '#models/tenant'
import { RequestContext } from '#services/infrastructure/request_context'
import { ensureSchoolCatalog, type SchoolSeed } from '#services/tenants/school_catalog_service'
import { DEMO_SCHOOLS } from '#services/content/demo_school_catalog'

/**
 * Gives a test tenant a school catalog: by default the demo one, which holds the schools the forms'
 * samples name (pc-primaria-alberoni, 2ª B); pass your own schools for a narrower case.
 */
export async function withSchoolCatalog(tenant: Tenant, schools: readonly SchoolSeed[] = DEMO_SCHOOLS) {
  await RequestContext.withTenant(tenant.ref, () => ensureSchoolCatalog(schools))
}
