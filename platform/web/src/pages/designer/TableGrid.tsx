import type { ClipboardEvent } from 'react'
import type { TableDto } from '../../api/designer_queries'
import { useT } from '../../i18n'

/** A cell of a tariff table is a decimal amount written as the tender prints it: "5.69". */
export const AMOUNT = /^\d{1,9}(\.\d{1,6})?$/

/**
 * Cells pasted from a spreadsheet: rows on lines, cells split by tabs (what every spreadsheet puts
 * on the clipboard). A decimal comma becomes a point and currency signs and spaces go, so that
 * "5,69 €" lands as 5.69.
 */
export function parsePastedCells(text: string): string[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => line.split('\t').map((cell) => cell.replace(/[€\s\u00a0]/g, '').replace(',', '.')))
}

/** `table` with the block `block` written from (row, column) on; what falls outside the grid is left out. */
export function pasteInto(table: TableDto, row: number, column: number, block: string[][]): TableDto {
  const cells = structuredClone(table.cells)
  block.forEach((line, i) => {
    const r = table.rows[row + i]
    if (r === undefined) return
    line.forEach((value, j) => {
      const c = table.columns[column + j]
      if (c === undefined) return
      cells[r] = { ...cells[r], [c]: value }
    })
  })
  return { ...table, cells }
}

/**
 * A tariff matrix as a grid (bands × columns), every cell an input carrying its reference (the
 * table's article, its row and column); cells differing from the version it started from are
 * marked, with the value before. Editable like a spreadsheet: a block pasted from one fills the
 * grid from the chosen cell.
 */
export function TableGrid({
  name,
  table,
  before,
  onChange,
  readOnly,
}: {
  name: string
  table: TableDto
  before?: TableDto
  onChange?: (table: TableDto) => void
  readOnly?: boolean
}) {
  const { t, lang } = useT()
  const label = table.label?.[lang] ?? table.label?.it ?? name
  const set = (row: string, column: string, value: string) =>
    onChange?.({ ...table, cells: { ...table.cells, [row]: { ...table.cells[row], [column]: value } } })
  const paste = (rowIndex: number, columnIndex: number) => (event: ClipboardEvent<HTMLInputElement>) => {
    const text = event.clipboardData.getData('text/plain')
    if (readOnly || !text || (!text.includes('\t') && !text.includes('\n'))) return
    event.preventDefault()
    onChange?.(pasteInto(table, rowIndex, columnIndex, parsePastedCells(text)))
  }
  return (
    <div className="mb-4">
      <div className="table-responsive">
        <table className="table table-sm table-bordered designer-grid" data-testid={`grid-${name}`}>
          <caption className="caption-top">
            <span className="fw-semibold">{label}</span>
            <span className="d-block small text-secondary">
              {t('designer.reference')}: {table.reference}
            </span>
          </caption>
          <thead>
            <tr>
              <td />
              {table.columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r, i) => (
              <tr key={r}>
                <th scope="row">{r}</th>
                {table.columns.map((c, j) => {
                  const value = table.cells[r]?.[c] ?? ''
                  const old = before?.cells[r]?.[c]
                  const changed = before !== undefined && old !== value
                  const invalid = !AMOUNT.test(value)
                  const cellId = `cell-${name}-${i}-${j}`
                  return (
                    <td key={c} className={changed ? 'designer-changed' : undefined}>
                      <input
                        id={cellId}
                        className={`form-control form-control-sm text-end${invalid ? ' is-invalid' : ''}`}
                        value={value}
                        readOnly={readOnly}
                        inputMode="decimal"
                        aria-label={t('designer.cellLabel', { table: label, row: r, column: c })}
                        aria-invalid={invalid ? true : undefined}
                        aria-describedby={`${cellId}-ref`}
                        title={t('designer.cellReference', { reference: table.reference, row: r, column: c })}
                        onChange={(event) => set(r, c, event.target.value.trim().replace(',', '.'))}
                        onPaste={paste(i, j)}
                      />
                      <span id={`${cellId}-ref`} className="visually-hidden">
                        {t('designer.cellReference', { reference: table.reference, row: r, column: c })}
                        {changed ? ` ${t('designer.cellChanged', { before: old ?? '–' })}` : ''}
                        {invalid ? ` ${t('designer.cellInvalid')}` : ''}
                      </span>
                      {changed && (
                        <span className="d-block small designer-before" aria-hidden="true">
                          {t('designer.compareBefore')}: {old ?? '–'}
                        </span>
                      )}
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!readOnly && <p className="small text-secondary">{t('designer.pasteHint')}</p>}
    </div>
  )
}
