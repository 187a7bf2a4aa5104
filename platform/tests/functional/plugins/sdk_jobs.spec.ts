import { test } from '@japa/runner'
import { jobQueue } from '#queue/queue_factory'
import type { EnqueueOptions, JobDefinition, JobQueue } from '#queue/types'
import { definePluginJobs, schedulePluginJobs } from '#plugins/plugin_jobs'
import { pluginContext } from '#plugins/plugin_context'
import { pluginRegistry } from '#plugins/registry'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, transactionWithJobs } from '#tests/helpers/world'
import type { SampleRecord } from '../../fixtures/sample_plugins/sample/index.js'
import Note from '../../fixtures/sample_plugins/sample/models/note.js'

const record = () => (globalThis as { __sample?: SampleRecord }).__sample!

/** A queue that only records what is defined, scheduled and enqueued on it. */
function recordingQueue() {
  const defined = new Map<string, JobDefinition<any>>()
  const scheduled: Array<{ name: string; cron: string; tz?: string }> = []
  const enqueued: Array<{ name: string; payload: unknown; options?: EnqueueOptions }> = []
  const queue: JobQueue = {
    driver: 'in-process',
    shared: false,
    state: async () => undefined,
    define: (name, definition) => void defined.set(name, definition as JobDefinition<any>),
    enqueue: async (name, payload, options) => {
      enqueued.push({ name, payload, options })
      return { id: options?.jobId ?? 'x', duplicate: false }
    },
    schedule: async (name, cron, _payload, options) => void scheduled.push({ name, cron, tz: options?.tz }),
    start: async () => {},
    close: async () => {},
    health: async () => ({ driver: 'in-process', ok: true }),
    drained: async () => {},
  }
  return { queue, defined, scheduled, enqueued }
}

test.group('SDK: plugin jobs and schedules', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.setup(() => void (record().jobs.length = 0))

  test('a plugin job enqueued by the plugin runs with its tenant context and writes in that tenant', async ({
    assert,
  }) => {
    const tenant = await makeTenant()
    const other = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    await pluginService.enable(other, 'sample')
    await RequestContext.withTenant(tenant.ref, async () => {
      const ctx = await pluginContext('sample', { tenant: tenant.ref })
      await ctx.jobs.enqueue('digest', { week: 12 }, { jobId: `digest-test-${tenant.id}-${Date.now()}` })
    })
    await jobQueue().drained()
    assert.deepEqual(
      record().jobs.map((j) => ({ tenant: j.tenant, payload: j.payload, attempt: j.attempt })),
      [{ tenant: tenant.slug, payload: { week: 12 }, attempt: 1 }]
    )
    const mine = await RequestContext.withTenant(tenant.ref, () => Note.query().where('title', 'like', 'digest:%'))
    const theirs = await RequestContext.withTenant(other.ref, () => Note.query().where('title', 'like', 'digest:%'))
    assert.lengthOf(mine, 1)
    assert.lengthOf(theirs, 0)
  })

  test('a job the manifest does not declare cannot be enqueued', async ({ assert }) => {
    const tenant = await makeTenant()
    await RequestContext.withTenant(tenant.ref, async () => {
      const ctx = await pluginContext('sample', { tenant: tenant.ref })
      await assert.rejects(() => ctx.jobs.enqueue('nope', {}), /declares no job "nope"/)
    })
  })

  test('the manifest schedule is registered on the queue, in Europe/Rome time', async ({ assert }) => {
    const { queue, defined, scheduled } = recordingQueue()
    definePluginJobs(queue, pluginRegistry().all())
    await schedulePluginJobs(queue, pluginRegistry().all())
    assert.isTrue(defined.has('sample.digest'))
    assert.deepInclude(scheduled, { name: 'sample.digest', cron: '0 7 * * 1', tz: 'Europe/Rome' })
  })

  test('a run of the schedule enqueues one run per tenant that enabled the plugin, each with its tenant', async ({
    assert,
  }) => {
    const on = await makeTenant()
    const off = await makeTenant()
    await pluginService.enable(on, 'sample')
    await pluginService.enable(off, 'sample')
    await pluginService.disable(off, 'sample')
    const { queue, defined, enqueued } = recordingQueue()
    definePluginJobs(queue, pluginRegistry().all())
    // A run of the schedule: no tenant.
    await defined
      .get('sample.digest')!
      .handle({}, { name: 'sample.digest', id: 'sample.digest@tick', runId: 'run-1', attempt: 1, log: () => {} })
    const mine = enqueued.filter((e) => e.options?.tenant?.id === on.id || e.options?.tenant?.id === off.id)
    assert.deepEqual(mine, [
      { name: 'sample.digest', payload: {}, options: { jobId: `sample.digest@tick:${on.id}`, tenant: on.ref } },
    ])
  })
})
