import logger from '@adonisjs/core/services/logger'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import { pluginContext } from '#plugins/plugin_context'
import { pluginRegistry } from '#plugins/registry'
import { RequestContext } from '#services/infrastructure/request_context'
import type { JobDefinition } from '#queue/types'
import { PLUGIN_EVENT_JOB, setInTransactionRunner, subscriptionsTo, type PluginEventJob } from '#events/domain_events'

/**
 * How events reach plugins (see domain_events.ts): in the emitter's transaction for the
 * subscribers that ask for it, as the `platform.plugin-event` job for the others.
 */
export function installEventDelivery() {
  setInTransactionRunner(async (plugin, event, trx, handle) => {
    await RequestContext.withTenant(event.tenant, async () => {
      const ctx = await pluginContext(plugin, { tenant: event.tenant, trx })
      await handle(event, ctx)
    })
  })
}

export { PLUGIN_EVENT_JOB }

/**
 * One delivery of one event to one plugin. The job id `<event id>:<plugin id>` makes a second
 * enqueue harmless; a retry runs the subscriber again, so subscribers are idempotent. A plugin
 * disabled since the event (or uninstalled) is skipped.
 */
export const pluginEventJob: JobDefinition<PluginEventJob> = {
  attempts: 5,
  async handle({ plugin, event }, job) {
    const subscription = subscriptionsTo(event.name).find((s) => s.plugin === plugin && !s.inTransaction)
    if (!subscription || !pluginRegistry().get(plugin)) {
      logger.warn(`[event ${event.name} ${event.id}] plugin ${plugin} no longer subscribes: skipped`)
      return
    }
    if (event.name !== 'tenant.created') {
      const enabled = await TenantPlugin.query().where('plugin_id', plugin).where('enabled', true).first()
      if (!enabled) {
        job.log(`plugin ${plugin} is no longer enabled for ${event.tenant.slug}: skipped`)
        return
      }
    }
    if (!(await Tenant.find(event.tenant.id))) {
      job.log(`tenant ${event.tenant.slug} no longer exists: skipped`)
      return
    }
    const ctx = await pluginContext(plugin, { tenant: event.tenant })
    await subscription.handle(event, ctx)
  },
}
