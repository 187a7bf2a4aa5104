import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import TenantPlugin from '#models/tenant_plugin'
import { pluginRegistry } from '#plugins/registry'
import { RequestContext, type TenantRef } from '#services/infrastructure/request_context'
import { enqueueFollowUp } from '#events/follow_up'
import { enabledKept } from '#services/tenants/enabled_services'
import { requestContentStamp } from '#services/tenants/tenant_content'
import type { DomainEvent, DomainEventName, DomainEvents, EventHandler, Transaction } from '#sdk/types'

/**
 * The platform's typed domain events (DESIGN.md, Plugins): emitted from the one place each thing
 * happens, inside the transaction that makes it happen, and delivered to the plugins that
 * subscribe in their manifest (`events: { 'submission.accepted': handler }`).
 *
 * - A subscriber with `inTransaction: true` runs now, in the emitter's transaction: it sees the
 *   change and its writes commit (or roll back) with it. Creating an enrolment on acceptance is
 *   work of that kind.
 * - Any other subscriber runs later as a job, `platform.plugin-event`, with the id
 *   `<event id>:<plugin id>`: enqueued once the transaction commits, retried on failure, so it must
 *   be idempotent (the event id is the key).
 *
 * An event of a tenant reaches the plugins enabled for that tenant; `tenant.created` reaches every
 * installed plugin (none can be enabled yet for a tenant just created).
 */
export const PLUGIN_EVENT_JOB = 'platform.plugin-event'

/** Events delivered to every installed plugin, not only those enabled for the tenant. */
const GLOBAL_EVENTS: ReadonlySet<string> = new Set(['tenant.created'])

export interface PluginEventJob {
  plugin: string
  event: DomainEvent
}

type InTransactionRunner = (
  plugin: string,
  event: DomainEvent,
  trx: Transaction,
  handle: EventHandler<any>
) => Promise<void> // handlers of every event type

let runInTransaction: InTransactionRunner | undefined

/** Set at boot by event_delivery.ts: how an in-transaction subscriber gets its context. */
export function setInTransactionRunner(runner: InTransactionRunner) {
  runInTransaction = runner
}

interface Subscription {
  plugin: string
  inTransaction: boolean
  handle: EventHandler<any> // handlers of every event type
}

export function subscriptionsTo(name: string): Subscription[] {
  const out: Subscription[] = []
  for (const { manifest } of pluginRegistry().all()) {
    const subscriber = (manifest.events as Record<string, unknown> | undefined)?.[name]
    if (!subscriber) continue
    if (typeof subscriber === 'function') {
      out.push({ plugin: manifest.id, inTransaction: false, handle: subscriber as EventHandler<any> })
    } else {
      const s = subscriber as { inTransaction?: boolean; handle: EventHandler<any> }
      out.push({ plugin: manifest.id, inTransaction: s.inTransaction === true, handle: s.handle })
    }
  }
  return out
}

export interface EmitOptions {
  /** The transaction of the change the event records; without one the event gets its own. */
  trx: Transaction | null
  /** Defaults to the tenant of the current context. */
  tenant?: TenantRef
}

/**
 * Emits an event. Payloads carry ids and keys, never personal data: a subscriber reads what it
 * needs through its context, within the tenant's scoping.
 */
export async function emitDomainEvent<N extends DomainEventName>(
  name: N,
  payload: DomainEvents[N],
  options: EmitOptions
): Promise<DomainEvent<N>> {
  const tenant = options.tenant ?? RequestContext.tenant()
  if (!tenant) throw new Error(`Event ${name} emitted outside a tenant context`)
  const actor = RequestContext.actor() ?? { userId: null, label: 'anonimo' }
  const event: DomainEvent<N> = {
    id: randomUUID(),
    name,
    occurredAt: new Date().toISOString(),
    tenant: { id: tenant.id, slug: tenant.slug },
    actor: { userId: actor.userId, label: actor.label },
    payload,
  }
  const subscriptions = subscriptionsTo(name)
  if (subscriptions.length === 0) return event
  const deliver = async (trx: Transaction) => {
    const reached = await reachedPlugins(event, subscriptions, trx)
    for (const subscription of subscriptions) {
      if (!reached.has(subscription.plugin)) continue
      if (subscription.inTransaction) {
        if (!runInTransaction) throw new Error('Event delivery used before boot')
        await runInTransaction(subscription.plugin, event, trx, subscription.handle)
      } else {
        await enqueueFollowUp(trx, PLUGIN_EVENT_JOB, { plugin: subscription.plugin, event } satisfies PluginEventJob, {
          jobId: `${event.id}:${subscription.plugin}`,
          tenant: event.tenant,
        })
      }
    }
  }
  if (options.trx) await deliver(options.trx)
  else await db.transaction(deliver)
  return event
}

async function reachedPlugins(event: DomainEvent, subscriptions: Subscription[], trx: Transaction) {
  if (GLOBAL_EVENTS.has(event.name)) return new Set(subscriptions.map((s) => s.plugin))
  // In a request, the enabled services the process keeps under the stamp of the tenant row this
  // request read (a sending asked them before it was taken): no statement. Elsewhere (jobs,
  // commands), or when this request changed the tenant's content, read in the transaction.
  const kept = enabledKept.peek(event.tenant.id, requestContentStamp(event.tenant.id))
  if (kept) {
    const enabled = new Set(await kept)
    return new Set(subscriptions.filter((s) => enabled.has(s.plugin)).map((s) => s.plugin))
  }
  const rows = await RequestContext.withTenant(event.tenant, () =>
    TenantPlugin.query({ client: trx })
      .where('enabled', true)
      .whereIn(
        'plugin_id',
        subscriptions.map((s) => s.plugin)
      )
  )
  return new Set(rows.map((r) => r.pluginId))
}
