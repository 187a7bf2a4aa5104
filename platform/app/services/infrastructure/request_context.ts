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
  /** The HTTP request under way, for the language of its messages (i18n/catalogue.ts). */
  request?: LanguageSource
  /** The job run the code is part of (queue/run_job.ts). */
  jobRun?: JobRun
}

/** What the language of a request is read from: its query string and its Accept-Language. */
export interface LanguageSource {
  qs(): Record<string, unknown>
  language(languages: string[]): string | null
}

export interface JobRun {
  name: string
  id: string
  runId: string
}

/** What a nested context keeps of the one it opens in: the request it serves and the job it runs. */
function inherited(parent: Store | undefined): Pick<Store, 'request' | 'jobRun'> {
  return parent ? { request: parent.request, jobRun: parent.jobRun } : {}
}

/** What the user's read brought of the tenant the request names: its row (null: no such tenant), membership included. */
export interface TenantRead {
  userId: number
  slug: string
  row: unknown
}

/**
 * The process's one AsyncLocalStorage. Each storage in use adds its own work to every promise the
 * process creates (Node copies each storage's value onto each new promise), so the request's
 * language and the job run live here too, instead of in storages of their own.
 */
const storage = new AsyncLocalStorage<Store>()

export class MissingTenantContextError extends Error {
  constructor(model: string) {
    super(`No tenant in context while querying ${model}: tenant-owned data is reachable only inside a tenant context`)
  }
}

export const RequestContext = {
  run<T>(store: Store, fn: () => T): T {
    return storage.run({ ...inherited(storage.getStore()), ...store }, fn)
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
    return storage.run({ ...inherited(parent), actor: parent?.actor, tenant }, fn)
  },

  /** Runs fn as platform code (jobs, seeders, commands) named by label, across tenants. */
  asSystem<T>(label: string, fn: () => T): T {
    return storage.run(
      { ...inherited(storage.getStore()), actor: { userId: null, label: `system:${label}` }, allTenants: true },
      fn
    )
  },

  /** The HTTP request under way, if any. */
  request(): LanguageSource | undefined {
    return storage.getStore()?.request
  },

  /** The job run under way, if any. */
  jobRun(): JobRun | undefined {
    return storage.getStore()?.jobRun
  },
}
