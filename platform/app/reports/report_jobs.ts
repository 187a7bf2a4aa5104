import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import ReportRun from '#models/report_run'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import { pluginContext } from '#plugins/plugin_context'
import { findReport } from '#reports/report_registry'
import { writeReport } from '#reports/report_writer'
import { RequestContext } from '#services/infrastructure/request_context'
import type { JobDefinition } from '#queue/types'
import { storageRoot } from '#services/infrastructure/storage_root'

/**
 * Reports run in the background (`POST .../reports/:id/runs`): the job writes the file under
 * <STORAGE_PATH>/reports/<tenant>/ and records its progress; the file is kept for
 * REPORT_RETENTION_HOURS, then the hourly cleanup deletes it and marks the run expired.
 */
export const REPORT_RUN_JOB = 'platform.report-run'
export const REPORT_FILES_CLEANUP_JOB = 'platform.report-files-cleanup'
export const REPORT_FILES_CLEANUP_CRON = '17 * * * *'
export const REPORT_RETENTION_HOURS = 24

/**
 * In the store every process shares (STORAGE_PATH): the worker that writes a report and the web
 * process that serves it may be different machines or containers.
 */
export function reportFolder(tenantId: number) {
  return join(storageRoot(), 'reports', String(tenantId))
}

export const reportRunJob: JobDefinition<{ runId: number }> = {
  // A failed run is reported as failed; whoever asked for it asks again.
  attempts: 1,
  async handle({ runId }, job) {
    const run = await ReportRun.find(runId)
    if (!run || !['queued', 'running'].includes(run.status)) return
    const entry = findReport(run.reportId)
    const enabled =
      entry && (await TenantPlugin.query().where('plugin_id', entry.pluginId).where('enabled', true).first())
    if (!entry || !enabled) return fail(run, `The report ${run.reportId} is no longer available for this tenant`)
    run.status = 'running'
    await run.save()
    const folder = reportFolder(run.tenantId)
    await mkdir(folder, { recursive: true })
    const path = join(folder, `${run.id}.${run.format}`)
    const partial = `${path}.partial`
    try {
      const ctx = await pluginContext(entry.pluginId, { tenant: job.tenant!, lang: run.lang })
      if (entry.report.count) {
        const total = await entry.report.count(run.params, ctx)
        await ReportRun.query().where('id', run.id).update({ total })
      }
      const output = createWriteStream(partial)
      const closed = once(output, 'close')
      const done = await writeReport(run.format, entry.report.rows(run.params, ctx), output, {
        title: entry.report.title[run.lang],
        columns: entry.report.columns,
        lang: run.lang,
        onProgress: async (count) => void (await ReportRun.query().where('id', run.id).update({ done: count })),
      })
      await closed
      await rename(partial, path)
      run.status = 'done'
      run.done = done
      run.total = done
      run.filePath = path
      run.fileSize = (await stat(path)).size
      run.finishedAt = DateTime.now()
      run.expiresAt = DateTime.now().plus({ hours: REPORT_RETENTION_HOURS })
      await run.save()
    } catch (error) {
      await rm(partial, { force: true })
      job.log(`report run ${run.id} failed: ${(error as Error).message}`)
      await fail(run, (error as Error).message)
    }
  },
}

async function fail(run: ReportRun, message: string) {
  await run.refresh()
  run.status = 'failed'
  run.error = message.slice(0, 1000)
  run.finishedAt = DateTime.now()
  await run.save()
}

/** Deletes the files of runs past their retention, tenant by tenant, and marks the runs expired. */
export const reportFilesCleanupJob: JobDefinition<Record<string, never>> = {
  async handle() {
    await RequestContext.asSystem('report-files-cleanup', async () => {
      const now = DateTime.now()
      // Few runs are done and unexpired at any time: the dates are compared here, alike on every engine.
      const expired = (await ReportRun.query().where('status', 'done')).filter((r) => r.expiresAt && r.expiresAt < now)
      for (const run of expired) {
        const tenant = await Tenant.findOrFail(run.tenantId)
        await RequestContext.withTenant(tenant.ref, async () => {
          if (run.filePath) await rm(run.filePath, { force: true })
          run.status = 'expired'
          run.filePath = null
          await run.save()
        })
      }
    })
  },
}
