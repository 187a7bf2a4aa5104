import { PassThrough } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import type { ReportColumn, ReportValue } from '#sdk/types'
import type { Lang } from '#forms/types'
import { t } from '#i18n/catalogue'
import {
  CONTENT_TYPES,
  REPORT_FORMATS,
  ReportOutputClosedError,
  writeReport,
  type ReportFormat,
} from '#reports/report_writer'

/**
 * The back office's lists (inbox, register) leave as the reports do: the same writer (typed
 * cells, dates as dates, amounts with two decimals, the header in the reader's language and
 * frozen), streamed while the rows are read in slices, so a list of any length costs the memory
 * of one slice.
 */
export const EXPORT_SLICE = 500

/** `?format=` of an export: xlsx unless asked otherwise; null when it is neither. */
export function exportFormat(value: unknown): ReportFormat | null {
  const format = value === undefined || value === '' ? 'xlsx' : value
  return (REPORT_FORMATS as readonly unknown[]).includes(format) ? (format as ReportFormat) : null
}

export function refuseFormat(ctx: HttpContext, lang: Lang) {
  return ctx.response.unprocessableEntity({
    errors: [{ path: '/format', rule: 'enum', message: t(lang, 'report.format') }],
  })
}

export function streamList(
  ctx: HttpContext,
  options: {
    format: ReportFormat
    name: string
    title: string
    columns: ReportColumn[]
    lang: Lang
    rows: AsyncIterable<Record<string, ReportValue>>
  }
) {
  const { response } = ctx
  const output = new PassThrough()
  const day = new Date().toISOString().slice(0, 10)
  response.header('content-type', CONTENT_TYPES[options.format])
  response.header('content-disposition', `attachment; filename="${options.name}-${day}.${options.format}"`)
  response.header('cache-control', 'no-store')
  writeReport(options.format, options.rows, output, {
    title: options.title,
    columns: options.columns,
    lang: options.lang,
  }).catch((error) => {
    if (error instanceof ReportOutputClosedError) return
    ctx.logger.error({ err: error }, `export ${options.name} failed while streaming`)
    output.destroy(error as Error)
  })
  response.response.once('close', () => {
    if (!output.writableFinished) output.destroy()
  })
  response.stream(output)
}
