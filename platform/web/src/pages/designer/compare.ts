import type { VersionBody } from '../../api/designer_queries'

export interface CellChange {
  table: string
  row: string
  column: string
  before: string | null
  after: string | null
}

/** The cells that differ between two versions, table by table (a row or column added or removed counts too). */
export function changedCells(from: VersionBody, to: VersionBody): CellChange[] {
  const out: CellChange[] = []
  const names = new Set([...Object.keys(from.tables ?? {}), ...Object.keys(to.tables ?? {})])
  for (const table of names) {
    const a = from.tables?.[table]
    const b = to.tables?.[table]
    const rows = new Set([...(a?.rows ?? []), ...(b?.rows ?? [])])
    const columns = new Set([...(a?.columns ?? []), ...(b?.columns ?? [])])
    for (const row of rows) {
      for (const column of columns) {
        const before = a?.cells[row]?.[column] ?? null
        const after = b?.cells[row]?.[column] ?? null
        if (before !== after) out.push({ table, row, column, before, after })
      }
    }
  }
  return out
}

/** The other parts that differ: `conditions.is_resident`, `steps.amount`, `tests` (by name of entry). */
export function changedParts(from: VersionBody, to: VersionBody): string[] {
  const out: string[] = []
  const sections = new Set([...Object.keys(from), ...Object.keys(to)])
  for (const section of [...sections].sort()) {
    if (section === 'tables' || section === 'version' || section === 'valid_from' || section === 'valid_to') continue
    const a = from[section]
    const b = to[section]
    if (JSON.stringify(a) === JSON.stringify(b)) continue
    if (section === 'steps' && Array.isArray(a) && Array.isArray(b)) {
      const byId = (list: unknown[]) => new Map(list.map((s) => [(s as { id: string }).id, JSON.stringify(s)]))
      const before = byId(a)
      const after = byId(b)
      for (const id of new Set([...before.keys(), ...after.keys()])) {
        if (before.get(id) !== after.get(id)) out.push(`steps.${id}`)
      }
      const orderA = [...before.keys()].filter((id) => after.has(id)).join()
      const orderB = [...after.keys()].filter((id) => before.has(id)).join()
      if (orderA !== orderB) out.push('steps (order)')
      continue
    }
    if (isRecord(a) && isRecord(b) && section !== 'tests') {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(`${section}.${key}`)
      }
      continue
    }
    out.push(section)
  }
  return out
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
