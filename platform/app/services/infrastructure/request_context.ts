import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The one place that knows, for the code running now, which tenant it works
 * for and who is acting. HTTP requests get a context from the request context
 * middleware; jobs, commands and seeders open one with `asSystem`/`withTenant`.
 * Tenant-scoped models read it to filter every query (see tenant_scoped.ts).
 */
export interface TenantRef {
  id: number
  slug: string
}

export interface Actor {
  userId: number | null
  label: string
}

interface Store {
  tenant?: TenantRef
  actor?: Actor
  /** Set only by platform code that legitimately spans tenants (seeding, platform admin). */
  allTenants?: boolean
  /** The content stamp of the tenant row this request read (tenant_content.ts); none in jobs and commands. */
  contentStamp?: { tenantId: number; stamp: string | null }
  /** The tenant's settings as the request read them with its row: not read again in the same request. */
  tenantSettings?: { tenantId: number; settings: unknown }
  /** The tenant (slug) the request names, known before the user is read so both come in one query. */
  tenantAsked?: string
  /** The tenant row and membership read with the user (user_with_tenant_provider.ts), for the tenant middleware. */
  tenantRead?: TenantRead
}

/** What the user's read brought of the tenant the request names: its row (null: no such tenant), membership included. */
export interface TenantRead {
  userId: number
  slug: string
  row: unknown
}

const storage = new AsyncLocalStorage<Store>()

export class MissingTenantContextError extends Error {
  constructor(model: string) {
    super(`No tenant in context while querying ${model}: tenant-owned data is reachable only inside a tenant context`)
  }
}

export const RequestContext = {
  run<T>(store: Store, fn: () => T): T {
    return storage.run({ ...store }, fn)
  },

  current(): Store | undefined {
    return storage.getStore()
  },

  tenant(): TenantRef | undefined {
    return storage.getStore()?.tenant
  },

  actor(): Actor | undefined {
    return storage.getStore()?.actor
  },

  spansAllTenants(): boolean {
    return storage.getStore()?.allTenants === true
  },

  /** Records the authenticated actor on the current request's context. */
  setActor(actor: Actor) {
    const store = storage.getStore()
    if (store) store.actor = actor
  },

  /** Binds the current request to a tenant (done once, by the tenant middleware). */
  setTenant(tenant: TenantRef) {
    const store = storage.getStore()
    if (!store) throw new Error('setTenant called outside a request context')
    store.tenant = tenant
  },

  /** Records the content stamp of the tenant row the request read (done once, by the tenant middleware). */
  setContentStamp(tenantId: number, stamp: string | null) {
    const store = storage.getStore()
    if (store) store.contentStamp = { tenantId, stamp }
  },

  setTenantSettings(tenantId: number, settings: unknown) {
    const store = storage.getStore()
    if (store) store.tenantSettings = { tenantId, settings }
  },

  /** The settings of this tenant as the request read them, or undefined outside a request. */
  tenantSettings(tenantId: number): unknown {
    const kept = storage.getStore()?.tenantSettings
    return kept && kept.tenantId === tenantId ? kept.settings : undefined
  },

  /** Records the tenant the request names, before its user is read (auth middleware). */
  askTenant(slug: string) {
    const store = storage.getStore()
    if (store) store.tenantAsked = slug
  },

  /** The tenant read with the user for this slug and user, taken once (null when there was no such read). */
  takeTenantRead(slug: string, userId: number): TenantRead | null {
    const store = storage.getStore()
    const read = store?.tenantRead
    if (!store || !read) return null
    store.tenantRead = undefined
    return read.slug === slug && read.userId === userId ? read : null
  },

  /** Runs fn for one tenant, keeping the current actor. */
  withTenant<T>(tenant: TenantRef, fn: () => T): T {
    const parent = storage.getStore()
    return storage.run({ actor: parent?.actor, tenant }, fn)
  },

  /** Runs fn as platform code (jobs, seeders, commands) named by label, across tenants. */
  asSystem<T>(label: string, fn: () => T): T {
    return storage.run({ actor: { userId: null, label: `system:${label}` }, allTenants: true }, fn)
  },
}
