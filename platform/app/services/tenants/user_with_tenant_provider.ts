import { SessionLucidUserProvider } from '@adonisjs/auth/session'
import type { LucidAuthenticatable } from '@adonisjs/auth/types/session'
import { RequestContext } from '#services/infrastructure/request_context'

/** The prefix of the tenant's columns in the joined read. */
const TENANT = 'tenant__'

/**
 * The tenant model and the joined read's columns, made on first use (the auth config that builds
 * this provider is read before the models can be) and kept: an `import()` per request resolves its
 * specifier each time.
 */
let kept: { Tenant: typeof import('#models/tenant').default; columns: string[]; selected: string[] } | undefined
async function tenantRead() {
  if (kept) return kept
  const Tenant = (await import('#models/tenant')).default
  const columns = [...Tenant.$columnsDefinitions.values()].map((c) => c.columnName)
  const selected = [
    ...columns.map((c) => `tenants.${c} as ${TENANT}${c}`),
    'memberships.id as membership_id',
    'memberships.roles as membership_roles',
  ]
  kept = { Tenant, columns, selected }
  return kept
}

/**
 * The session's user provider: the user is read afresh at every request (the session holds only
 * its id, so a disabled account or a role taken away counts at the next request). On a tenant
 * request (`/t/:tenant/...`, the slug recorded by the auth middleware before authenticating) the
 * same statement brings the tenant's row and the user's membership in it, which the tenant
 * middleware would otherwise read by a second query: the tenant is left-joined by its slug, the
 * membership by the tenant's id and the user's, so a missing tenant or membership leaves the user
 * read as it would be alone. Nothing is kept between requests.
 */
export class UserWithTenantProvider<
  UserModel extends LucidAuthenticatable,
> extends SessionLucidUserProvider<UserModel> {
  async findById(identifier: string | number | bigint) {
    const store = RequestContext.current()
    const slug = store?.tenantAsked
    if (!store || slug === undefined) return super.findById(identifier)
    const model = await this.getModel()
    const { Tenant, columns: tenantColumns, selected } = await tenantRead()
    const user = await model
      .query()
      .where(`${model.table}.${model.primaryKey}`, identifier as number)
      .leftJoin('tenants', (join) => join.onVal('tenants.slug', '=', slug))
      .leftJoin('memberships', (join) =>
        join.on('memberships.tenant_id', '=', 'tenants.id').andOn('memberships.user_id', '=', `${model.table}.id`)
      )
      .select(`${model.table}.*`, ...selected)
      .first()
    if (!user) return null
    // The tenant's part becomes the row the tenant middleware's own read would have given (with the
    // membership in its extras); the user keeps no extras, as when read alone.
    const extras = user.$extras as Record<string, unknown>
    const tenantRow: Record<string, unknown> = {}
    for (const c of tenantColumns) tenantRow[c] = extras[`${TENANT}${c}`]
    tenantRow.membership_id = extras.membership_id
    tenantRow.membership_roles = extras.membership_roles
    user.$extras = {}
    const row =
      tenantRow.id === null || tenantRow.id === undefined
        ? null
        : Tenant.$createFromAdapterResult(tenantRow, {}, user.$options)
    store.tenantRead = { userId: user.$primaryKeyValue as number, slug, row }
    return this.createUserForGuard(user)
  }
}
