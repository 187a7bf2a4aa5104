import { PassThrough } from 'node:stream'
import { stat } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import ReportRun from '#models/report_run'
import { enqueueFollowUp } from '#events/follow_up'
import { pluginContext } from '#plugins/plugin_context'
import { PluginHttpError } from '#plugins/plugin_http'
import { REPORT_RUN_JOB } from '#reports/report_jobs'
import {
  ReportParamsError,
  describeReport,
  findReport,
  reportParams,
  visibleReports,
  type ReportEntry,
} from '#reports/report_registry'
import {
  CONTENT_TYPES,
  REPORT_FORMATS,
  ReportOutputClosedError,
  writeReport,
  type ReportFormat,
} from '#reports/report_writer'
import { pluginService } from '#services/tenants/plugin_service'
import { requestLanguage } from '#services/infrastructure/request_language'
import { t } from '#i18n/catalogue'
import type { Lang } from '#sdk/types'

/** Background runs one person may have waiting or running at once. */
export const MAX_PENDING_RUNS = 3

/**
 * The reports plugins declare: listed for the tenant and the reader's roles, downloaded as they
 * are produced (`/export`), or produced in the background with progress (`/runs`).
 */
export default class ReportsController {
  async index({ tenant, access, request }: HttpContext) {
    const lang = requestLanguage(request)
    const reports = visibleReports(await pluginService.enabledIds(tenant), access)
    return { reports: reports.map((r) => describeReport(r, lang)) }
  }

  /** `GET /reports/:id/export?format=xlsx|csv&<param>=...`: the file, streamed row by row. */
  async export(ctx: HttpContext) {
    const { request, response, params, tenant } = ctx
    const lang = requestLanguage(request)
    const found = await this.#report(ctx, params.id, lang)
    if ('refused' in found) return found.refused
    const { format: rawFormat = 'xlsx', ...input } = request.qs() as Record<string, unknown>
    const format = this.#format(rawFormat)
    if (!format)
      return response.unprocessableEntity({
        errors: [{ path: '/format', rule: 'enum', message: t(lang, 'report.format') }],
      })
    const entry = found.entry
    let values: Record<string, unknown>
    try {
      values = reportParams(entry, input, lang)
    } catch (error) {
      if (error instanceof ReportParamsError) return response.unprocessableEntity({ errors: error.errors })
      throw error
    }
    const pluginCtx = await pluginContext(entry.pluginId, { tenant: tenant.ref, lang })
    if (await this.#check(ctx, entry, values, pluginCtx)) return
    const output = new PassThrough()
    response.header('content-type', CONTENT_TYPES[format])
    response.header('content-disposition', `attachment; filename="${fileName(entry, format)}"`)
    response.header('cache-control', 'no-store')
    // Written while the response reads it: nothing waits for the whole file. A row source that
    // fails midway cuts the download (the status is already sent) and the log says why.
    writeReport(format, entry.report.rows(values, pluginCtx), output, {
      title: entry.report.title[lang],
      columns: entry.report.columns,
      lang,
    }).catch((error) => {
      if (error instanceof ReportOutputClosedError) return
      ctx.logger.error({ err: error }, `report ${entry.id} failed while streaming`)
      output.destroy(error as Error)
    })
    // A reader who goes away stops the rows from being produced.
    response.response.once('close', () => {
      if (!output.writableFinished) output.destroy()
    })
    response.stream(output)
  }

  /**
   * The report's own check of its parameters (a period too long...), before any row is made: true
   * when it refused them (the refusal is then the answer).
   */
  async #check(
    ctx: HttpContext,
    entry: ReportEntry,
    values: Record<string, unknown>,
    pluginCtx: Awaited<ReturnType<typeof pluginContext>>,
    prefix = ''
  ) {
    if (!entry.report.check) return null
    try {
      await entry.report.check(values, pluginCtx)
      return null
    } catch (error) {
      if (!(error instanceof PluginHttpError)) throw error
      ctx.response
        .status(error.status)
        .send({ errors: error.errors.map((e) => ({ ...e, ...(e.path ? { path: `${prefix}${e.path}` } : {}) })) })
      return true
    }
  }

  /** `POST /reports/:id/runs` `{ format, params }`: produced by a job; answers the run to follow. */
  async storeRun(ctx: HttpContext) {
    const { request, response, params, tenant, auth } = ctx
    const lang = requestLanguage(request)
    const found = await this.#report(ctx, params.id, lang)
    if ('refused' in found) return found.refused
    const body = request.body() as { format?: unknown; params?: unknown }
    const format = this.#format(body.format ?? 'xlsx')
    if (!format)
      return response.unprocessableEntity({
        errors: [{ path: '/format', rule: 'enum', message: t(lang, 'report.format') }],
      })
    const input = body.params ?? {}
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return response.unprocessableEntity({
        errors: [{ path: '/params', rule: 'type', message: t(lang, 'report.params.notObject') }],
      })
    }
    let values: Record<string, unknown>
    try {
      values = reportParams(found.entry, input as Record<string, unknown>, lang)
    } catch (error) {
      if (error instanceof ReportParamsError) {
        return response.unprocessableEntity({ errors: error.errors.map((e) => ({ ...e, path: `/params${e.path}` })) })
      }
      throw error
    }
    const pluginCtx = await pluginContext(found.entry.pluginId, { tenant: tenant.ref, lang })
    if (await this.#check(ctx, found.entry, values, pluginCtx, '/params')) return
    const user = auth.getUserOrFail()
    const pending = await ReportRun.query()
      .where('requested_by_user_id', user.id)
      .whereIn('status', ['queued', 'running'])
      .count('* as pending')
    if (Number(pending[0].$extras.pending) >= MAX_PENDING_RUNS) {
      return response.tooManyRequests({
        errors: [{ rule: 'pending_runs', message: t(lang, 'report.tooMany', { max: MAX_PENDING_RUNS }) }],
      })
    }
    // The run and its job: the job follows the row's commit (see follow_up.ts).
    const run = await db.transaction(async (trx) => {
      const row = await ReportRun.create(
        {
          reportId: found.entry.id,
          format,
          params: values,
          lang,
          status: 'queued',
          done: 0,
          total: null,
          filePath: null,
          fileSize: null,
          error: null,
          requestedByUserId: user.id,
          finishedAt: null,
          expiresAt: null,
        },
        { client: trx }
      )
      await enqueueFollowUp(
        trx,
        REPORT_RUN_JOB,
        { runId: row.id },
        {
          // The row's identity, with its creation time: an id reused after a rollback is another run.
          jobId: `report-run:${tenant.id}:${row.id}:${row.createdAt.toMillis()}`,
          tenant: tenant.ref,
        }
      )
      return row
    })
    return response.accepted({ run: this.#view(run, tenant.slug) })
  }

  /** `GET /reports/:id/runs/:rid`: progress (done of total) and, when ready, the download link. */
  async showRun(ctx: HttpContext) {
    const run = await this.#run(ctx)
    if (!run)
      return ctx.response.notFound({ errors: [{ message: t(requestLanguage(ctx.request), 'report.runNotFound') }] })
    return { run: this.#view(run, ctx.tenant.slug) }
  }

  async download(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    const run = await this.#run(ctx)
    if (!run) return ctx.response.notFound({ errors: [{ message: t(lang, 'report.runNotFound') }] })
    if (run.status === 'expired')
      return ctx.response.status(410).send({ errors: [{ message: t(lang, 'report.expired') }] })
    if (run.status !== 'done' || !run.filePath) {
      return ctx.response.conflict({ errors: [{ rule: run.status, message: t(lang, 'report.notReady') }] })
    }
    const exists = await stat(run.filePath).then(
      () => true,
      () => false
    )
    if (!exists) return ctx.response.status(410).send({ errors: [{ message: t(lang, 'report.expired') }] })
    const entry = findReport(run.reportId)
    ctx.response.header('content-type', CONTENT_TYPES[run.format])
    ctx.response.header('cache-control', 'no-store')
    ctx.response.attachment(run.filePath, entry ? fileName(entry, run.format) : `${run.reportId}.${run.format}`)
  }

  /** The report if the tenant enabled its plugin and the reader's roles allow it; else the refusal. */
  async #report(
    { tenant, access, response }: HttpContext,
    id: string,
    lang: Lang
  ): Promise<{ entry: ReportEntry } | { refused: unknown }> {
    const entry = findReport(id)
    const enabled = entry ? (await pluginService.enabledIds(tenant)).includes(entry.pluginId) : false
    if (!entry || !enabled) return { refused: response.notFound({ errors: [{ message: t(lang, 'report.notFound') }] }) }
    if (!access.has(...entry.report.roles)) {
      return { refused: response.forbidden({ errors: [{ rule: 'role', message: t(lang, 'report.role') }] }) }
    }
    return { entry }
  }

  #format(value: unknown): ReportFormat | null {
    return REPORT_FORMATS.includes(value as ReportFormat) ? (value as ReportFormat) : null
  }

  /** A run is seen by whoever asked for it (and platform admins), no one else. */
  async #run({ params, access, auth }: HttpContext) {
    const rid = Number(params.rid)
    if (!Number.isSafeInteger(rid)) return null
    const run = await ReportRun.query().where('id', rid).where('report_id', params.id).first()
    if (!run) return null
    if (run.requestedByUserId !== auth.getUserOrFail().id && !access.isPlatformAdmin) return null
    return run
  }

  #view(run: ReportRun, slug: string) {
    const ready = run.status === 'done'
    return {
      id: run.id,
      report: run.reportId,
      format: run.format,
      status: run.status,
      done: run.done,
      total: run.total,
      error: run.error,
      createdAt: run.createdAt?.toISO() ?? null,
      finishedAt: run.finishedAt?.toISO() ?? null,
      expiresAt: run.expiresAt?.toISO() ?? null,
      download: ready ? `/api/v1/t/${slug}/reports/${run.reportId}/runs/${run.id}/file` : null,
    }
  }
}

function fileName(entry: ReportEntry, format: ReportFormat) {
  const day = new Date().toISOString().slice(0, 10)
  return `${entry.id.replace(/[^a-z0-9.-]/gi, '_')}-${day}.${format}`
}
