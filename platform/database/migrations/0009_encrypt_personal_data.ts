import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import {
  DataCipher,
  FISCAL_CODE_INDEX,
  currentDataCipher,
  normaliseFiscalCode,
} from '#services/infrastructure/data_cipher'

/**
 * Personal identifiers encrypted at rest (GDPR art. 32): users' name and codice fiscale, the
 * enrolled child's name, codice fiscale, birth date and details, status reasons, the names of
 * uploaded files and the protocol's correspondent. Beside each codice fiscale, a blind index
 * (HMAC-SHA256, data_cipher.ts) for look-ups: unique for users, and the "same child, form and
 * school year" index of enrolments now reads it instead of the clear code.
 *
 * Existing rows are converted here, with the current key, and so are the identifiers already
 * copied in clear into audit rows. The lists below are this migration's own, frozen as the schema
 * was: data_at_rest.ts is the living list. Files are left to `node ace.js data:reencrypt`, which
 * reads plain files meanwhile. `down` decrypts everything back.
 */
const BATCH = 500

interface Converted {
  table: string
  /** Column, model attribute (as audit rows name it), decrypted form, PostgreSQL type before. */
  columns: Array<{ name: string; attribute: string | null; plain: 'text' | 'json'; pgBefore: string | null }>
  hash?: { column: string; of: string }
}

const CONVERTED: Converted[] = [
  {
    table: 'users',
    columns: [
      { name: 'full_name', attribute: 'fullName', plain: 'text', pgBefore: 'varchar(200)' },
      { name: 'fiscal_code', attribute: 'fiscalCode', plain: 'text', pgBefore: 'varchar(16)' },
    ],
    hash: { column: 'fiscal_code_hash', of: 'fiscal_code' },
  },
  {
    table: 'enrolments',
    columns: [
      { name: 'child_first_name', attribute: 'childFirstName', plain: 'text', pgBefore: 'varchar(100)' },
      { name: 'child_last_name', attribute: 'childLastName', plain: 'text', pgBefore: 'varchar(100)' },
      { name: 'child_fiscal_code', attribute: 'childFiscalCode', plain: 'text', pgBefore: 'varchar(16)' },
      { name: 'child_birth_date', attribute: 'childBirthDate', plain: 'text', pgBefore: 'varchar(10)' },
      { name: 'details', attribute: 'details', plain: 'json', pgBefore: null },
    ],
    hash: { column: 'child_fiscal_code_hash', of: 'child_fiscal_code' },
  },
  {
    table: 'submissions',
    columns: [{ name: 'status_reason', attribute: 'statusReason', plain: 'text', pgBefore: null }],
  },
  { table: 'submission_events', columns: [{ name: 'reason', attribute: null, plain: 'text', pgBefore: null }] },
  {
    table: 'attachments',
    columns: [{ name: 'file_name', attribute: 'fileName', plain: 'text', pgBefore: 'varchar(200)' }],
  },
  {
    table: 'protocol_entries',
    columns: [{ name: 'correspondent', attribute: null, plain: 'text', pgBefore: 'varchar(200)' }],
  },
]

const OLD_SAME_CHILD = ['tenant_id', 'form_key', 'school_year', 'child_fiscal_code']
const SAME_CHILD_INDEX = 'enrolments_same_child_index'
const USERS_HASH_UNIQUE = 'users_fiscal_code_hash_unique'

type Direction = 'encrypt' | 'decrypt'

function parseJson(value: string) {
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

/** A stored value turned the given way; undefined when it is already so. */
function turn(cipher: DataCipher, value: unknown, plain: 'text' | 'json', direction: Direction) {
  if (value === null || value === undefined) return undefined
  if (direction === 'encrypt') {
    if (DataCipher.isEncrypted(value)) return undefined
    return cipher.encrypt(plain === 'json' && typeof value === 'string' ? parseJson(value) : value)
  }
  if (!DataCipher.isEncrypted(value)) return undefined
  const decrypted = cipher.decrypt(value)
  return plain === 'json' ? JSON.stringify(decrypted) : decrypted
}

async function convertTable(db: QueryClientContract, spec: Converted, direction: Direction) {
  const cipher = currentDataCipher()
  const names = spec.columns.map((c) => c.name)
  if (spec.hash && direction === 'encrypt') names.push(spec.hash.column)
  let last = 0
  for (;;) {
    const rows = await db
      .from(spec.table)
      .select('id', ...names)
      .where('id', '>', last)
      .orderBy('id')
      .limit(BATCH)
    for (const row of rows) {
      const changes: Record<string, unknown> = {}
      for (const column of spec.columns) {
        const turned = turn(cipher, row[column.name], column.plain, direction)
        if (turned !== undefined) changes[column.name] = turned
      }
      if (spec.hash && direction === 'encrypt') {
        const source = row[spec.hash.of]
        const clear = DataCipher.isEncrypted(source) ? (cipher.decrypt(source) as string) : source
        const index =
          typeof clear === 'string' && clear ? cipher.blindIndex(FISCAL_CODE_INDEX, normaliseFiscalCode(clear)) : null
        if (index !== row[spec.hash.column]) changes[spec.hash.column] = index
      }
      if (Object.keys(changes).length > 0) await db.from(spec.table).where('id', row.id).update(changes)
    }
    if (rows.length < BATCH) return
    last = rows[rows.length - 1].id
  }
}

/** Identifiers audit rows copied before this migration (keys are model attributes). */
async function convertAudit(db: QueryClientContract, direction: Direction) {
  const cipher = currentDataCipher()
  const attributes = new Map(
    CONVERTED.map((spec) => [
      spec.table,
      new Map(spec.columns.filter((c) => c.attribute).map((c) => [c.attribute!, c.plain] as const)),
    ])
  )
  const read = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value)
  let last = 0
  for (;;) {
    const rows = await db
      .from('audit_logs')
      .select('id', 'entity', 'before', 'after')
      .whereIn('entity', [...attributes.keys()])
      .where('id', '>', last)
      .orderBy('id')
      .limit(BATCH)
    for (const row of rows) {
      const changes: Record<string, string> = {}
      for (const side of ['before', 'after'] as const) {
        const snapshot = read(row[side]) as Record<string, unknown> | null
        if (!snapshot || typeof snapshot !== 'object') continue
        let changed = false
        for (const [attribute, plain] of attributes.get(row.entity) ?? []) {
          // Audit rows hold model values: JSON columns as objects already.
          const turned = turn(cipher, snapshot[attribute], plain === 'json' ? 'text' : plain, direction)
          if (turned === undefined) continue
          snapshot[attribute] = turned
          changed = true
        }
        if (changed) changes[side] = JSON.stringify(snapshot)
      }
      if (Object.keys(changes).length > 0) await db.from('audit_logs').where('id', row.id).update(changes)
    }
    if (rows.length < BATCH) return
    last = rows[rows.length - 1].id
  }
}

/** The rows' conversion, both ways (exported for the test that runs it on rows stored in clear). */
export async function convertPersonalData(db: QueryClientContract, direction: Direction) {
  for (const spec of CONVERTED) await convertTable(db, spec, direction)
  await convertAudit(db, direction)
}

export default class extends BaseSchema {
  async up() {
    if (this.db.dialect.name === 'postgres') {
      // Ciphertext is longer than the clear values the old lengths were sized for.
      for (const spec of CONVERTED) {
        for (const column of spec.columns.filter((c) => c.pgBefore)) {
          this.schema.raw(`ALTER TABLE "${spec.table}" ALTER COLUMN "${column.name}" TYPE text`)
        }
      }
    }
    this.schema.alterTable('users', (table) => {
      table.string('fiscal_code_hash', 80).nullable()
      table.unique(['fiscal_code_hash'], { indexName: USERS_HASH_UNIQUE })
    })
    this.schema.alterTable('enrolments', (table) => {
      table.string('child_fiscal_code_hash', 80).nullable()
      table.dropIndex(OLD_SAME_CHILD)
      table.index(['tenant_id', 'form_key', 'school_year', 'child_fiscal_code_hash'], SAME_CHILD_INDEX)
    })
    this.defer((db) => convertPersonalData(db, 'encrypt'))
  }

  async down() {
    this.defer((db) => convertPersonalData(db, 'decrypt'))
    this.schema.alterTable('enrolments', (table) => {
      table.dropIndex([], SAME_CHILD_INDEX)
      table.index(OLD_SAME_CHILD)
    })
    this.schema.alterTable('users', (table) => {
      table.dropUnique([], USERS_HASH_UNIQUE)
    })
    // SQLite drops a column natively: knex's way rebuilds the table, and dropping `users` inside
    // the migration's transaction, foreign keys on, would cascade to its memberships.
    for (const [table, column] of [
      ['enrolments', 'child_fiscal_code_hash'],
      ['users', 'fiscal_code_hash'],
    ]) {
      this.schema.raw(`ALTER TABLE "${table}" DROP COLUMN "${column}"`)
    }
    if (this.db.dialect.name === 'postgres') {
      for (const spec of CONVERTED) {
        for (const column of spec.columns.filter((c) => c.pgBefore)) {
          this.schema.raw(`ALTER TABLE "${spec.table}" ALTER COLUMN "${column.name}" TYPE ${column.pgBefore}`)
        }
      }
    }
  }
}
