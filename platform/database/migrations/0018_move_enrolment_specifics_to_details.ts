import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { DataCipher, currentDataCipher } from '#services/infrastructure/data_cipher'

/**
 * The enrolment record is the same for every service; what only one service knows belongs to its
 * plugin, in the `details` it owns (encrypted JSON). The three columns 0007 gave one service's
 * form (the school order, the class year and the special diet) move there under the names the
 * form gives them (`school_order`, `class_year`, `diet`), and the columns go. `down` puts them back.
 *
 * Columns are dropped with SQLite's own ALTER TABLE (knex's way rebuilds the table, which foreign
 * keys on would not survive inside the migration's transaction).
 */
const BATCH = 500
const MOVED = ['school_order', 'class_year', 'diet'] as const

function read(cipher: DataCipher, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (DataCipher.isEncrypted(value)) return cipher.decrypt(value)
  if (typeof value === 'string') {
    try {
      return JSON.parse(value)
    } catch {
      return value
    }
  }
  return value
}

async function eachRow(
  db: QueryClientContract,
  columns: string[],
  change: (row: Record<string, any>) => Record<string, unknown> | null // rows as the driver gives them
) {
  let last = 0
  for (;;) {
    const rows = await db
      .from('enrolments')
      .select('id', ...columns)
      .where('id', '>', last)
      .orderBy('id')
      .limit(BATCH)
    for (const row of rows) {
      const changes = change(row)
      if (changes) await db.from('enrolments').where('id', row.id).update(changes)
    }
    if (rows.length < BATCH) return
    last = rows[rows.length - 1].id
  }
}

/** Columns into details (exported for the test that runs both ways on stored rows). */
export async function columnsIntoDetails(db: QueryClientContract) {
  const cipher = currentDataCipher()
  await eachRow(db, ['details', ...MOVED], (row) => {
    const details = read(cipher, row.details)
    const merged: Record<string, unknown> = details && typeof details === 'object' ? { ...details } : {}
    let moved = false
    for (const column of MOVED) {
      const value = column === 'diet' ? read(cipher, row.diet) : row[column]
      if (value === null || value === undefined) continue
      merged[column] = value
      moved = true
    }
    return moved ? { details: cipher.encrypt(merged) } : null
  })
}

/** Details back into the columns. */
export async function detailsIntoColumns(db: QueryClientContract) {
  const cipher = currentDataCipher()
  await eachRow(db, ['details'], (row) => {
    const details = read(cipher, row.details)
    if (!details || typeof details !== 'object') return null
    const rest: Record<string, unknown> = { ...details }
    const changes: Record<string, unknown> = {}
    for (const column of MOVED) {
      if (!(column in rest)) continue
      const value = rest[column]
      delete rest[column]
      changes[column] = value === null || value === undefined ? null : column === 'diet' ? cipher.encrypt(value) : value
    }
    if (Object.keys(changes).length === 0) return null
    changes.details = Object.keys(rest).length > 0 ? cipher.encrypt(rest) : null
    return changes
  })
}

export default class extends BaseSchema {
  async up() {
    this.defer((db) => columnsIntoDetails(db))
    for (const column of MOVED) this.schema.raw(`ALTER TABLE "enrolments" DROP COLUMN "${column}"`)
  }

  async down() {
    this.schema.alterTable('enrolments', (table) => {
      table.string('school_order', 64).nullable()
      table.string('class_year', 20).nullable()
      table.text('diet').nullable()
    })
    this.defer((db) => detailsIntoColumns(db))
  }
}
