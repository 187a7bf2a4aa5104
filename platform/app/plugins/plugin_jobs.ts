import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import { pluginContext } from '#plugins/plugin_context'
import type { LoadedPlugin } from '#plugins/registry'
import { RequestContext } from '#services/infrastructure/request_context'
import type { JobQueue } from '#queue/types'

/**
 * A plugin's jobs on the queue, named `<plugin id>.<job>`. A job always runs for one tenant, with
 * the plugin's context: enqueued by the plugin (`ctx.jobs.enqueue`), or, at each run of its
 * schedule, once for every tenant that has the plugin enabled (a run of the schedule carries no
 * tenant; it enqueues the per-tenant runs, each with the id `<run id>:<tenant id>`).
 */
export function definePluginJobs(queue: JobQueue, plugins: LoadedPlugin[]) {
  for (const { manifest } of plugins) {
    for (const [name, job] of Object.entries(manifest.jobs ?? {})) {
      const jobName = `${manifest.id}.${name}`
      queue.define(jobName, {
        attempts: job.attempts,
        async handle(payload, run) {
          if (!run.tenant) {
            for (const tenant of await tenantsWith(manifest.id)) {
              await queue.enqueue(jobName, payload, { jobId: `${run.id}:${tenant.id}`, tenant })
            }
            return
          }
          const ctx = await pluginContext(manifest.id, { tenant: run.tenant })
          await job.handle(payload, { ...ctx, attempt: run.attempt, jobId: run.id })
        },
      })
    }
  }
}

/** Registers the schedules the manifests declare (Europe/Rome time). */
export async function schedulePluginJobs(queue: JobQueue, plugins: LoadedPlugin[]) {
  for (const { manifest } of plugins) {
    for (const [name, job] of Object.entries(manifest.jobs ?? {})) {
      if (job.schedule) await queue.schedule(`${manifest.id}.${name}`, job.schedule, {}, { tz: 'Europe/Rome' })
    }
  }
}

async function tenantsWith(pluginId: string) {
  return RequestContext.asSystem(`schedule:${pluginId}`, async () => {
    const rows = await TenantPlugin.query().where('plugin_id', pluginId).where('enabled', true)
    if (rows.length === 0) return []
    const tenants = await Tenant.query()
      .whereIn(
        'id',
        rows.map((r) => r.tenantId)
      )
      .orderBy('id')
    return tenants.map((t) => t.ref)
  })
}
