import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * What a process keeps of a tenant's slowly changing content between requests: the school catalog,
 * the enabled services, the forms in force, the rule sets. Every request reads the tenant's row
 * anyway (the tenant middleware); the row carries `content_stamp`, a random value that every write
 * to that content replaces in the write's own transaction (the StampsTenantContent mixin on School,
 * SchoolClass, CatalogEntry, TenantPlugin, Form, FormVersion, RuleSet and RuleSetVersion). A process
 * serves what it keeps only under the stamp it was read with, so a change made by staff, in this
 * process or another, is seen from the next request on, at the price of no query at all: the stamp
 * comes with the row already read.
 *
 * A value is loaded after the stamp was read, so it is never older than the stamp it is kept under;
 * a stamp is random, so one rolled back and written again is never taken for the old one.
 * Without a stamp read in this request (jobs, commands) nothing is kept: everything is read afresh,
 * unless the job reads the stamp itself and passes it (the receipt job, for its fee's rule set).
 */
export const MAX_CACHED_TENANTS = 1000

/** The stamp of the tenant the current request read, for code that has no tenant row at hand. */
export function requestContentStamp(tenantId: number): string | null | undefined {
  const seen = RequestContext.current()?.contentStamp
  return seen && seen.tenantId === tenantId ? seen.stamp : undefined
}

/** Writes a new stamp on the tenant (in `client`'s transaction when given) and forgets what this process kept. */
export async function renewContentStamp(tenantId: number, client?: QueryClientContract) {
  forgetTenant(tenantId)
  // The rest of this request reads afresh: what it would keep under the stamp it read could be its
  // own change, not yet committed (and perhaps rolled back).
  const seen = RequestContext.current()
  if (seen?.contentStamp?.tenantId === tenantId) seen.contentStamp = undefined
  await (client ?? db).from('tenants').where('id', tenantId).update({ content_stamp: randomUUID() })
  // Forgotten again once written: a request that loaded meanwhile (between the two) kept the old data.
  forgetTenant(tenantId)
}

const caches = new Set<Map<number, unknown>>()

function forgetTenant(tenantId: number) {
  for (const cache of caches) cache.delete(tenantId)
}

/**
 * One kind of tenant content kept per process: `get` answers what was loaded under the same stamp
 * (and the same `variant`, e.g. today's date), else loads it and keeps it.
 */
export function tenantContentCache<T>() {
  const kept = new Map<number, { stamp: string; variant: string; value: Promise<T> }>()
  caches.add(kept as Map<number, unknown>)
  return {
    /** What is kept under this stamp (and variant), loading nothing: undefined when there is none. */
    peek(tenantId: number, stamp: string | null | undefined, variant = ''): Promise<T> | undefined {
      if (stamp === undefined) return undefined
      const hit = kept.get(tenantId)
      return hit && hit.stamp === (stamp ?? '') && hit.variant === variant ? hit.value : undefined
    },
    async get(tenantId: number, stamp: string | null | undefined, load: () => Promise<T>, variant = ''): Promise<T> {
      if (stamp === undefined) return load()
      const key = stamp ?? ''
      const hit = kept.get(tenantId)
      if (hit && hit.stamp === key && hit.variant === variant) return hit.value
      const value = load()
      if (kept.size >= MAX_CACHED_TENANTS) kept.delete(kept.keys().next().value as number)
      kept.set(tenantId, { stamp: key, variant, value })
      // A failed load is not kept.
      value.catch(() => kept.get(tenantId)?.value === value && kept.delete(tenantId))
      return value
    },
  }
}
