import type { Writable } from 'node:stream'
import ExcelJS from 'exceljs'
import { Dec } from '#rules/decimal'
import type { Lang, ReportColumn, ReportValue } from '#sdk/types'
import { t } from '#i18n/catalogue'

/**
 * Reports leave as spreadsheets, written row by row as the row source gives them: nothing holds
 * the rows, so a report of a million rows costs the memory of a few.
 *
 * - xlsx (exceljs's streaming WorkbookWriter): typed cells, dates as dates (dd/mm/yyyy), amounts
 *   as numbers shown with two decimals, the header in the reader's language, bold and frozen, with
 *   an auto-filter.
 * - CSV for Italian spreadsheets: UTF-8 with a byte-order mark (or Excel reads it as Latin-1), `;`
 *   between fields (Excel in Italian splits on `;`, since `,` is the decimal separator), decimal
 *   comma, dates as YYYY-MM-DD (read as dates everywhere), booleans as Sì/No (Yes/No in English),
 *   CRLF line ends, quotes only where needed. A text starting with = + - @ gets a leading
 *   apostrophe, so a spreadsheet never runs it as a formula.
 */
export type ReportFormat = 'xlsx' | 'csv'
export const REPORT_FORMATS: readonly ReportFormat[] = ['xlsx', 'csv']

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
}

/** A value the row source gave that its column's type cannot hold. */
export class ReportValueError extends Error {
  constructor(row: number, column: ReportColumn, value: unknown) {
    super(`Report row ${row}, column "${column.key}" (${column.type}): ${JSON.stringify(value)} is not a valid value`)
    this.name = 'ReportValueError'
  }
}

type Cell = string | number | boolean | Date | null

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DECIMAL = /^-?\d+(\.\d+)?$/

function decimalOf(value: ReportValue) {
  if (typeof value === 'number' && Number.isFinite(value)) return new Dec(value)
  if (typeof value === 'string' && DECIMAL.test(value)) return new Dec(value)
  return null
}

/** The typed value of a cell, or a ReportValueError naming the row and the column. */
function typed(column: ReportColumn, value: ReportValue, row: number): Cell {
  if (value === null || value === undefined) return null
  switch (column.type) {
    case 'text':
      if (value instanceof Date) throw new ReportValueError(row, column, value)
      return String(value)
    case 'integer': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value
      if (typeof n === 'number' && Number.isSafeInteger(n)) return n
      throw new ReportValueError(row, column, value)
    }
    case 'decimal':
    case 'money': {
      const d = decimalOf(value)
      if (!d) throw new ReportValueError(row, column, value)
      // Rounded to cents in decimal arithmetic; the cell holds the number the string spells.
      return Number(d.toFixed(2))
    }
    case 'date': {
      if (value instanceof Date && !Number.isNaN(value.getTime())) {
        return new Date(Date.UTC(value.getFullYear(), value.getMonth(), value.getDate()))
      }
      const m = typeof value === 'string' ? DATE.exec(value) : null
      if (!m) throw new ReportValueError(row, column, value)
      const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
      if (date.toISOString().slice(0, 10) !== value) throw new ReportValueError(row, column, value)
      return date
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new ReportValueError(row, column, value)
      return value
  }
}

const NUMBER_FORMATS: Partial<Record<ReportColumn['type'], string>> = {
  integer: '0',
  decimal: '#,##0.00',
  money: '#,##0.00 "€"',
  date: 'dd/mm/yyyy',
}

export interface WriteOptions {
  title: string
  columns: ReportColumn[]
  lang: Lang
  /** Called every `progressEvery` rows and at the end with the rows written so far. */
  onProgress?: (done: number) => Promise<void> | void
  progressEvery?: number
}

/** The reader went away (a download cut short): the rows stop being produced. */
export class ReportOutputClosedError extends Error {
  constructor() {
    super('The report output was closed before the report was complete')
    this.name = 'ReportOutputClosedError'
  }
}

/** Waits until the output takes more, failing if it is closed meanwhile (never waits for ever). */
async function drained(output: Writable) {
  if (output.destroyed) throw new ReportOutputClosedError()
  if (!output.writableNeedDrain) return
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      output.off('close', onClose)
      resolve()
    }
    const onClose = () => {
      output.off('drain', onDrain)
      reject(new ReportOutputClosedError())
    }
    output.once('drain', onDrain)
    output.once('close', onClose)
  })
}

/** Waits while the output's buffer is full, and lets compression and I/O run between batches. */
async function breathe(output: Writable) {
  await drained(output)
  await new Promise((resolve) => setImmediate(resolve))
}

const BATCH = 250

/** Streams the rows as an xlsx workbook into `output`; resolves with the number of rows once it is all written. */
export async function writeXlsx(
  rows: AsyncIterable<Record<string, ReportValue>>,
  output: Writable,
  options: WriteOptions
): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false })
  const sheet = workbook.addWorksheet(sheetName(options.title), { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = options.columns.map((c) => ({
    key: c.key,
    width: c.width ?? defaultWidth(c),
    style: NUMBER_FORMATS[c.type] ? { numFmt: NUMBER_FORMATS[c.type] } : {},
  }))
  const header = sheet.addRow(options.columns.map((c) => c.label[options.lang]))
  header.font = { bold: true }
  header.commit()
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: options.columns.length } }

  let done = 0
  const every = options.progressEvery ?? 1000
  for await (const source of rows) {
    done++
    // Each cell takes its number format from its column's style.
    sheet.addRow(options.columns.map((c) => typed(c, source[c.key], done))).commit()
    if (done % BATCH === 0) await breathe(output)
    if (options.onProgress && done % every === 0) await options.onProgress(done)
  }
  sheet.commit()
  await workbook.commit()
  await options.onProgress?.(done)
  return done
}

function csvField(column: ReportColumn, cell: Cell, lang: Lang): string {
  if (cell === null) return ''
  let text: string
  if (cell instanceof Date) text = cell.toISOString().slice(0, 10)
  else if (typeof cell === 'boolean') text = t(lang, cell ? 'report.yes' : 'report.no')
  else if (typeof cell === 'number') {
    text = column.type === 'integer' ? String(cell) : cell.toFixed(2).replace('.', ',')
  } else {
    text = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell
  }
  return /[;"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Streams the rows as CSV (see above) into `output`, ending it; resolves with the number of rows. */
export async function writeCsv(
  rows: AsyncIterable<Record<string, ReportValue>>,
  output: Writable,
  options: WriteOptions
): Promise<number> {
  const header = options.columns.map((c) => csvField({ ...c, type: 'text' }, c.label[options.lang], options.lang))
  output.write(`\uFEFF${header.join(';')}\r\n`)
  let done = 0
  const every = options.progressEvery ?? 1000
  for await (const source of rows) {
    done++
    const fields = options.columns.map((c) => csvField(c, typed(c, source[c.key], done), options.lang))
    if (output.destroyed) throw new ReportOutputClosedError()
    if (!output.write(`${fields.join(';')}\r\n`)) await drained(output)
    if (done % BATCH === 0) await new Promise((resolve) => setImmediate(resolve))
    if (options.onProgress && done % every === 0) await options.onProgress(done)
  }
  output.end()
  await options.onProgress?.(done)
  return done
}

export function writeReport(
  format: ReportFormat,
  rows: AsyncIterable<Record<string, ReportValue>>,
  output: Writable,
  options: WriteOptions
) {
  return format === 'xlsx' ? writeXlsx(rows, output, options) : writeCsv(rows, output, options)
}

/** Excel's sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(title: string) {
  return title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Report'
}

function defaultWidth(column: ReportColumn) {
  return { text: 30, integer: 10, decimal: 14, money: 14, date: 12, boolean: 8 }[column.type]
}
