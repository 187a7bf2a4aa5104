import { createHash } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import { storagePath } from '#services/submissions/attachment_service'
import { COMMON_COLUMNS, PLATFORM_TABLES, TABLES } from '#services/tenants/tenant_export_dictionary'
import { pluginRegistry } from '#plugins/registry'

/**
 * One tenant's whole data, for the comune at the end of a contract (or on request): every table
 * holding its rows as CSV (csv/<table>.csv), the same as one PostgreSQL script (tenant.sql, tables
 * and rows, loadable into an empty database on any PostgreSQL), the uploaded files
 * (attachments/<file_id>), a data dictionary (README.md, dictionary.json), a helper that decrypts
 * the encrypted fields with the keys (decrypt.mjs), and a manifest with counts and checksums.
 *
 * Which rows: tables are read from the database, not listed here, so a new table is exported by
 * itself. A table with a tenant_id column gives the rows of this tenant; `tenants` its own row;
 * `users` the people its rows name (members, applicants, uploaders, authors), without password
 * hashes. Tables of the platform's own bookkeeping are not exported; any other table is an error,
 * so that no table is silently left out. Which columns are encrypted is read from the models'
 * column metadata (`meta.sensitive`, see app/models/columns.ts). Encrypted values are exported as
 * stored: the keys are handed over separately.
 */
export interface ExportOptions {
  tenant: string
  out: string
}

export interface ExportedTable {
  table: string
  rows: number
  columns: Array<{ name: string; type: string; nullable: boolean; encrypted: boolean; description: string | null }>
  description: string | null
}

export interface ExportResult {
  tenant: { id: number; slug: string; name: string }
  out: string
  tables: ExportedTable[]
  skipped: Array<{ table: string; reason: string }>
  attachments: { files: number; bytes: number; missing: string[] }
  undescribed: string[]
}

export class TenantExportError extends Error {}

const PAGE = 1000
/** Columns that name a user, by the platform's naming: user_id, *_user_id, published_by. */
const USER_COLUMN = /(^|_)user_id$|^published_by$/
/** Never exported: a password hash is useless to anyone else and a risk to everyone. */
const WITHHELD: Record<string, string[]> = { users: ['password'] }

type Row = Record<string, unknown>
type ColumnInfo = { type: string; maxLength: number | null; nullable: boolean }

/**
 * Whether a column's metadata marks it encrypted at rest: `sensitive: true` (encryptedColumn in
 * app/models/columns.ts), or a protection class in `encrypted` ('special', 'identifier'), so a
 * new kind of encrypted column is found as long as its column option says so.
 */
export function isEncryptedMeta(meta: unknown): boolean {
  const flags = (meta ?? {}) as { sensitive?: unknown; encrypted?: unknown }
  return flags.sensitive === true || (typeof flags.encrypted === 'string' && flags.encrypted.length > 0)
}

/** Encrypted columns, "table.column", from every model's column metadata. */
export async function encryptedColumns(): Promise<Set<string>> {
  const found = new Set<string>()
  const folder = app.makePath('app', 'models')
  for (const entry of await readdir(folder)) {
    if (!/\.(ts|js)$/.test(entry) || entry.endsWith('.d.ts')) continue
    const module = await import(pathToFileURL(join(folder, entry)).href)
    const model = module.default as LucidModel | undefined
    if (!model || typeof model !== 'function' || !('$columnsDefinitions' in model)) continue
    model.boot()
    for (const column of model.$columnsDefinitions.values()) {
      if (isEncryptedMeta(column.meta)) found.add(`${model.table}.${column.columnName}`)
    }
  }
  return found
}

/** Every table of the database (the application's schema on PostgreSQL), by name. */
async function tablesOfDatabase(): Promise<string[]> {
  const rows: Array<{ name: string }> =
    db.connection().dialect.name === 'postgres'
      ? await db.from('pg_catalog.pg_tables').select('tablename as name').whereRaw('schemaname = current_schema()')
      : await db.from('sqlite_master').select('name').where('type', 'table').whereNot('name', 'like', 'sqlite_%')
  return rows.map((row) => row.name).sort()
}

/** A table's columns in their order, with type, length and nullability, on either engine. */
async function columnsOf(table: string): Promise<Map<string, ColumnInfo>> {
  if (db.connection().dialect.name === 'postgres') {
    const { rows } = await db.rawQuery(
      `select column_name, data_type, character_maximum_length, is_nullable from information_schema.columns
       where table_schema = current_schema() and table_name = ? order by ordinal_position`,
      [table]
    )
    return new Map(
      rows.map((c: Record<string, unknown>) => [
        String(c.column_name),
        {
          type: String(c.data_type).toLowerCase(),
          maxLength: c.character_maximum_length ? Number(c.character_maximum_length) : null,
          nullable: c.is_nullable === 'YES',
        },
      ])
    )
  }
  const rows: Array<{ name: string; type: string; notnull: number }> = await db.rawQuery(
    `pragma table_info(${ident(table)})`
  )
  return new Map(
    rows.map((c) => {
      const [, type, length] = /^([^(]*)(?:\((\d+)\))?/.exec(c.type.toLowerCase()) ?? []
      return [
        c.name,
        { type: (type ?? 'text').trim(), maxLength: length ? Number(length) : null, nullable: !c.notnull },
      ]
    })
  )
}

/** The PostgreSQL type of a column, from either engine's description of it. */
export function pgType(info: ColumnInfo): string {
  const t = info.type
  if (t.includes('bigint')) return 'bigint'
  if (t === 'integer' || t === 'int' || t === 'int4' || t === 'smallint') return 'integer'
  if (t.includes('char')) return info.maxLength ? `varchar(${info.maxLength})` : 'text'
  if (t === 'boolean' || t === 'bool') return 'boolean'
  if (t.startsWith('json')) return t === 'jsonb' ? 'jsonb' : 'json'
  if (t.includes('timestamp') || t === 'datetime') return 'timestamptz'
  if (t === 'date') return 'date'
  if (t.includes('double') || t.includes('float') || t === 'real') return 'double precision'
  if (t.includes('numeric') || t.includes('decimal')) return 'numeric'
  return 'text'
}

/** One value as text the same way on both engines (SQLite keeps booleans as 0/1, PostgreSQL JSON as objects). */
function plain(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null
  if (type === 'boolean') return value === true || value === 1 || value === '1' || value === 'true' ? 'true' : 'false'
  if (value instanceof Date) return value.toISOString()
  if (Buffer.isBuffer(value)) return value.toString('base64')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** CSV as PostgreSQL's COPY reads it: NULL is an empty field, an empty string is "". */
export function csvField(value: string | null): string {
  if (value === null) return ''
  return value === '' || /[",\r\n]/.test(value) || value.trim() !== value ? `"${value.replaceAll('"', '""')}"` : value
}

function sqlLiteral(value: string | null, type: string): string {
  if (value === null) return 'NULL'
  if (type === 'boolean' || type === 'integer' || type === 'bigint') return value
  return `'${value.replaceAll("'", "''")}'`
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`

class Output {
  #stream: WriteStream
  constructor(path: string) {
    this.#stream = createWriteStream(path)
  }
  async write(text: string) {
    if (!this.#stream.write(text)) await once(this.#stream, 'drain')
  }
  async close() {
    this.#stream.end()
    await once(this.#stream, 'finish')
  }
}

async function sha256Of(path: string) {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
}

export async function exportTenant(options: ExportOptions): Promise<ExportResult> {
  const tenant = await db.from('tenants').where('slug', options.tenant).first()
  if (!tenant) throw new TenantExportError(`No tenant "${options.tenant}": give the slug of an existing tenant`)
  const existing = await readdir(options.out).catch(() => [])
  if (existing.length) throw new TenantExportError(`${options.out} is not empty: export into a new or empty folder`)
  await mkdir(join(options.out, 'csv'), { recursive: true })
  await mkdir(join(options.out, 'attachments'), { recursive: true })

  const encrypted = await encryptedColumns()
  const result: ExportResult = {
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
    out: options.out,
    tables: [],
    skipped: [],
    attachments: { files: 0, bytes: 0, missing: [] },
    undescribed: [],
  }

  // Which tables, and how each selects this tenant's rows; users last, selected by the columns naming them.
  const plan: Array<{ table: string; columns: Map<string, ColumnInfo> }> = []
  const userColumns: Array<[string, string]> = []
  for (const table of await tablesOfDatabase()) {
    if (PLATFORM_TABLES[table]) {
      result.skipped.push({ table, reason: PLATFORM_TABLES[table] })
      continue
    }
    const columns = await columnsOf(table)
    if (!columns.has('tenant_id') && !['tenants', 'users'].includes(table)) {
      throw new TenantExportError(
        `Table ${table} has no tenant_id column, so its rows cannot be told apart by tenant: give it one, or ` +
          'list it in PLATFORM_TABLES (app/services/tenants/tenant_export_dictionary.ts) if it holds no tenant data'
      )
    }
    plan.push({ table, columns })
    if (columns.has('tenant_id')) {
      for (const name of columns.keys()) if (USER_COLUMN.test(name)) userColumns.push([table, name])
    }
  }
  plan.sort((a, b) => Number(a.table === 'users') - Number(b.table === 'users'))

  const sql = new Output(join(options.out, 'tenant.sql'))
  await sql.write(
    `-- ${tenant.name} (${tenant.slug}): the tenant's data exported from Sportello on ${new Date().toISOString()}.\n` +
      '-- Load into an empty PostgreSQL database: psql -v ON_ERROR_STOP=1 --single-transaction -f tenant.sql\n' +
      '-- Meanings of tables and columns: README.md. Encrypted values (enc:v1:...) stay encrypted: see README.md.\n' +
      "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSET TIME ZONE 'UTC';\n\n"
  )

  // Tables of the plugins: each describes its own in its manifest (`dictionary`).
  const pluginTables = Object.assign(
    {},
    ...pluginRegistry()
      .all()
      .map((p) => p.manifest.dictionary ?? {})
  )
  for (const { table, columns } of plan) {
    const withheld = WITHHELD[table] ?? []
    const names = [...columns.keys()].filter((name) => !withheld.includes(name))
    const types = new Map(names.map((name) => [name, pgType(columns.get(name)!)]))
    const meaning = TABLES[table] ?? pluginTables[table]
    const described: ExportedTable = {
      table,
      rows: 0,
      description: meaning?.description ?? null,
      columns: names.map((name) => ({
        name,
        type: types.get(name)!,
        nullable: columns.get(name)!.nullable,
        encrypted: encrypted.has(`${table}.${name}`),
        description: meaning?.columns[name] ?? COMMON_COLUMNS[name] ?? null,
      })),
    }
    if (!meaning) result.undescribed.push(table)
    for (const column of described.columns) if (!column.description) result.undescribed.push(`${table}.${column.name}`)

    const hasId = names.includes('id')
    const idType = types.get('id')
    await sql.write(
      `CREATE TABLE ${ident(table)} (\n` +
        names
          .map((name) => {
            if (name === 'id' && (idType === 'integer' || idType === 'bigint'))
              return `  "id" ${idType} GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY`
            return `  ${ident(name)} ${types.get(name)}${columns.get(name)!.nullable ? '' : ' NOT NULL'}`
          })
          .join(',\n') +
        '\n);\n'
    )
    const csv = new Output(join(options.out, 'csv', `${table}.csv`))
    await csv.write(names.map((name) => csvField(name)).join(',') + '\r\n')

    // Keyset pages in id order: memory stays bounded whatever the size of the table.
    let after: unknown = null
    for (;;) {
      const query = db.from(table).select(names)
      if (table === 'tenants') query.where('id', tenant.id)
      else if (table === 'users') {
        // Subqueries, not a list of ids: a large comune names tens of thousands of people.
        query.where((named) => {
          named.whereRaw('1 = 0')
          for (const [source, column] of userColumns) {
            named.orWhereIn('id', db.from(source).select(column).where('tenant_id', tenant.id))
          }
        })
      } else query.where('tenant_id', tenant.id)
      if (hasId) {
        query.orderBy('id', 'asc').limit(PAGE)
        if (after !== null) query.where('id', '>', after as number)
      }
      const rows: Row[] = await query
      const values: string[] = []
      for (const row of rows) {
        const texts = names.map((name) => plain(row[name], types.get(name)!))
        await csv.write(texts.map(csvField).join(',') + '\r\n')
        values.push(`(${texts.map((text, i) => sqlLiteral(text, types.get(names[i])!)).join(', ')})`)
        if (table === 'attachments') await copyAttachment(tenant.id, String(row.file_id), options.out, result)
      }
      if (values.length) {
        await sql.write(
          `INSERT INTO ${ident(table)} (${names.map(ident).join(', ')}) VALUES\n` + values.join(',\n') + ';\n'
        )
      }
      described.rows += rows.length
      if (!hasId || rows.length < PAGE) break
      after = rows.at(-1)!.id
    }
    if (hasId && (idType === 'integer' || idType === 'bigint')) {
      await sql.write(
        `SELECT setval(pg_get_serial_sequence('${ident(table)}', 'id'), coalesce(max("id"), 0) + 1, false) FROM ${ident(table)};\n`
      )
    }
    await sql.write('\n')
    await csv.close()
    result.tables.push(described)
  }
  await sql.close()

  await copyFile(
    fileURLToPath(new URL('./tenant_export_decrypt.mjs', import.meta.url)),
    join(options.out, 'decrypt.mjs')
  )
  await writeFile(join(options.out, 'dictionary.json'), JSON.stringify(dictionaryJson(result), null, 2) + '\n')
  await writeFile(join(options.out, 'README.md'), readme(result))
  await writeManifest(result)
  return result
}

async function copyAttachment(tenantId: number, fileId: string, out: string, result: ExportResult) {
  // File ids are generated by the platform (url-safe); anything else is not a file name to trust.
  if (!/^[\w-]+$/.test(fileId)) {
    result.attachments.missing.push(fileId)
    return
  }
  const source = storagePath(tenantId, fileId)
  try {
    const { size } = await stat(source)
    await copyFile(source, join(out, 'attachments', fileId))
    result.attachments.files++
    result.attachments.bytes += size
  } catch {
    result.attachments.missing.push(fileId)
  }
}

function dictionaryJson(result: ExportResult) {
  return {
    tenant: result.tenant,
    exported_at: new Date().toISOString(),
    tables: result.tables,
    not_exported: result.skipped,
    attachments: result.attachments,
  }
}

async function writeManifest(result: ExportResult) {
  const files: Record<string, string> = {}
  for (const name of ['tenant.sql', 'dictionary.json', 'README.md', 'decrypt.mjs']) {
    files[name] = await sha256Of(join(result.out, name))
  }
  for (const { table } of result.tables)
    files[`csv/${table}.csv`] = await sha256Of(join(result.out, 'csv', `${table}.csv`))
  for (const name of (await readdir(join(result.out, 'attachments'))).sort()) {
    files[`attachments/${name}`] = await sha256Of(join(result.out, 'attachments', name))
  }
  const rows = Object.fromEntries(result.tables.map((t) => [t.table, t.rows]))
  await writeFile(
    join(result.out, 'manifest.json'),
    JSON.stringify({ tenant: result.tenant, rows, sha256: files }, null, 2) + '\n'
  )
}

function readme(result: ExportResult): string {
  const encryptedList = result.tables.flatMap((t) =>
    t.columns.filter((c) => c.encrypted).map((c) => `${t.table}.${c.name}`)
  )
  const lines = [
    `# ${result.tenant.name} (${result.tenant.slug}): data export`,
    '',
    `Exported from Sportello on ${new Date().toISOString()}. Everything this body's records hold in the`,
    'platform: one CSV file per table, the same data as one PostgreSQL script, the uploaded documents,',
    'and this dictionary.',
    '',
    '## What is here',
    '',
    '- `csv/<table>.csv`: one file per table, UTF-8, comma separated, first line the column names (RFC 4180).',
    '  An empty field is NULL, `""` an empty text. JSON columns hold JSON text; times are ISO 8601 in UTC.',
    '- `tenant.sql`: the tables and all rows for PostgreSQL. In an empty database:',
    '  `psql -v ON_ERROR_STOP=1 --single-transaction -d <database> -f tenant.sql`. Identifiers are kept, so',
    '  rows refer to each other as in the platform (e.g. `submissions.applicant_user_id` = `users.id`);',
    '  indexes and foreign keys are left to the importer.',
    '- `attachments/<file_id>`: the documents uploaded with applications, named by `attachments.file_id`',
    '  (their original names, types and the SHA-256 of their content are in `csv/attachments.csv`). They',
    '  are encrypted as they are at rest; `node decrypt.mjs --document attachments/<file_id> <tenant id>`',
    '  writes a document in clear (below).',
    '- `dictionary.json`: this dictionary for programs; `manifest.json`: row counts and SHA-256 of every file.',
    '- `decrypt.mjs`: decrypts the encrypted fields of a CSV file, or one document (below).',
    '',
    '## Encrypted fields',
    '',
    'Health, disability, foster care and ISEE data are encrypted at rest, and stay encrypted in this',
    'export (in both the CSV files and `tenant.sql`):',
    '',
    ...encryptedList.map((name) => `- \`${name}\``),
    '',
    'Each such value reads `enc:v1:<key id>:<iv>:<tag>:<ciphertext>`, the last three parts in base64:',
    'AES-256-GCM with a 12-byte IV and a 16-byte authentication tag; the plaintext is JSON (UTF-8). The',
    "key is the 32-byte key named by `<key id>`, from the platform's key ring (`DATA_ENCRYPTION_KEYS`,",
    '`<key id>:<key in base64>` pairs), handed over by the provider separately from this export. With Node.js:',
    '',
    '```bash',
    "DATA_ENCRYPTION_KEYS='<key id>:<key base64>' node decrypt.mjs csv/submissions.csv > submissions-decrypted.csv",
    "DATA_ENCRYPTION_KEYS='<key id>:<key base64>' node decrypt.mjs --document attachments/<file_id> <tenant id> > document",
    '```',
    '',
    'or in Python (package `cryptography`):',
    '',
    '```python',
    'import base64, json',
    'from cryptography.hazmat.primitives.ciphers.aead import AESGCM',
    "_, _, key_id, iv, tag, body = value.split(':')",
    'plain = AESGCM(keys[key_id]).decrypt(base64.b64decode(iv), base64.b64decode(body) + base64.b64decode(tag), None)',
    'data = json.loads(plain)',
    '```',
    '',
    '## Tables',
    '',
  ]
  for (const table of result.tables) {
    lines.push(
      `### ${table.table} (${table.rows} ${table.rows === 1 ? 'row' : 'rows'})`,
      '',
      table.description ?? '(no description)',
      ''
    )
    lines.push('| column | type | null | meaning |', '| --- | --- | --- | --- |')
    for (const c of table.columns) {
      const meaning = (c.description ?? '(no description)') + (c.encrypted ? ' **Encrypted.**' : '')
      lines.push(`| \`${c.name}\` | ${c.type} | ${c.nullable ? 'yes' : 'no'} | ${meaning.replaceAll('|', '\\|')} |`)
    }
    lines.push('')
  }
  if (WITHHELD.users) lines.push(`Not exported: \`users.${WITHHELD.users.join('`, `users.')}\` (password hashes).`, '')
  lines.push('Tables of the platform itself, not exported:', '')
  for (const s of result.skipped) lines.push(`- \`${s.table}\`: ${s.reason}`)
  lines.push('')
  if (result.attachments.missing.length) {
    lines.push(
      `Documents listed in attachments but missing from the store: ${result.attachments.missing.join(', ')}`,
      ''
    )
  }
  return lines.join('\n')
}
