import { searchHashes } from '#services/submissions/submission_search'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, rename, unlink, writeFile } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { ENCRYPTED_COLUMNS, PARTLY_ENCRYPTED_JSON, type EncryptedColumnSpec } from '#models/data_at_rest'
import { DataCipher, currentDataCipher, normaliseFiscalCode } from '#services/infrastructure/data_cipher'
import { attachmentContext, storagePath } from '#services/submissions/attachment_service'
import { writeAudit } from '#services/infrastructure/audit_service'
import { childIndexOf } from '#services/submissions/child_identity'
import { pluginRegistry } from '#plugins/registry'

/**
 * Key rotation: rewrites everything encrypted at rest with the current (first) key of
 * DATA_ENCRYPTION_KEYS — every column of data_at_rest.ts, the blind indexes beside them, the
 * identifiers inside audit rows and the attachment files — and encrypts what is still in clear
 * (rows and files stored before encryption). `node ace.js data:reencrypt` runs it.
 *
 * Resumable because idempotent: a row is selected only while one of its values is not under the
 * current key (a SQL filter on the `enc:v1:<keyId>:` prefix), so a second run starts where the
 * first stopped and a finished run finds nothing to do. Safe to interrupt: each batch is one
 * transaction, each row is rewritten only if no one changed it meanwhile (its old ciphertext is in
 * the WHERE), and a file is replaced by renaming a complete new copy over it. Once a run ends with
 * nothing left, the old key can leave the ring.
 */
export interface ReencryptionProgress {
  stage: string
  done: number
  total: number
  rewritten: number
  perSecond: number
}

export interface ReencryptionOptions {
  batchSize?: number
  onProgress?: (progress: ReencryptionProgress) => void | Promise<void>
  /** Asked between batches: true stops the run there (a later run resumes). */
  shouldStop?: () => boolean
}

export interface StageReport {
  stage: string
  total: number
  done: number
  rewritten: number
  /** Rows changed by someone else between the read and the write: a later run takes them. */
  changedMeanwhile: number
}

export interface ReencryptionReport {
  keyId: string
  interrupted: boolean
  stages: StageReport[]
  files: { total: number; checked: number; rewritten: number; missing: number }
  /** What could not be rewritten (e.g. a key already gone from the ring, a file not matching its SHA-256). */
  failures: Array<{ stage: string; id: number; error: string }>
  failureCount: number
  seconds: number
}

const DEFAULT_BATCH = 200
const MAX_LISTED_FAILURES = 50

class Run {
  readonly cipher = currentDataCipher()
  readonly started = Date.now()
  readonly report: ReencryptionReport
  readonly batch: number

  constructor(readonly options: ReencryptionOptions) {
    this.batch = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH, 5000))
    this.report = {
      keyId: this.cipher.currentKeyId,
      interrupted: false,
      stages: [],
      files: { total: 0, checked: 0, rewritten: 0, missing: 0 },
      failures: [],
      failureCount: 0,
      seconds: 0,
    }
  }

  fail(stage: string, id: number, error: unknown) {
    this.report.failureCount++
    if (this.report.failures.length < MAX_LISTED_FAILURES) {
      this.report.failures.push({ stage, id, error: error instanceof Error ? error.message : String(error) })
    }
  }

  async progress(stage: string, done: number, total: number, rewritten: number, since: number) {
    const seconds = Math.max((Date.now() - since) / 1000, 0.001)
    await this.options.onProgress?.({ stage, done, total, rewritten, perSecond: Math.round(done / seconds) })
    // Let the event loop turn between batches: on SQLite every query resolves without I/O, and a
    // Ctrl-C (or, in a server, any request) would otherwise wait for the whole run.
    await new Promise((resolve) => setImmediate(resolve))
  }

  /** True when the run must stop here. */
  stop() {
    if (this.options.shouldStop?.()) this.report.interrupted = true
    return this.report.interrupted
  }
}

/** The columns of one table, and the blind indexes computed from them. */
function tables() {
  const out = new Map<string, EncryptedColumnSpec[]>()
  for (const spec of [...ENCRYPTED_COLUMNS, ...pluginEncryptedColumns()]) {
    out.set(spec.table, [...(out.get(spec.table) ?? []), spec])
  }
  return out
}

/** The columns plugins store encrypted (their dictionary's `encrypted`), all of the `special` class. */
function pluginEncryptedColumns(): EncryptedColumnSpec[] {
  return pluginRegistry()
    .all()
    .flatMap(({ manifest }) =>
      Object.entries(manifest.dictionary ?? {}).flatMap(([table, meaning]) =>
        (meaning.encrypted ?? []).map((column) => ({
          table,
          column,
          attribute: null,
          protection: 'special' as const,
          plain: 'json' as const,
          description: meaning.columns[column] ?? column,
        }))
      )
    )
}

/** The value as it should be stored under the current key; undefined when it already is. */
function rotated(run: Run, stored: unknown, plain: 'text' | 'json'): string | undefined {
  if (stored === null || stored === undefined || !run.cipher.needsRotation(stored)) return undefined
  if (DataCipher.isEncrypted(stored)) return run.cipher.encrypt(run.cipher.decrypt(stored))
  // A value stored before encryption.
  if (plain === 'json' && typeof stored === 'string') {
    try {
      return run.cipher.encrypt(JSON.parse(stored))
    } catch {
      return run.cipher.encrypt(stored)
    }
  }
  return run.cipher.encrypt(stored)
}

function clearText(run: Run, stored: unknown): string | null {
  const value = DataCipher.isEncrypted(stored) ? run.cipher.decrypt(stored) : stored
  return typeof value === 'string' && value.length > 0 ? value : null
}

/** The blind index a row should have beside `stored`, under the current key. */
function wantedIndex(run: Run, spec: EncryptedColumnSpec, stored: unknown): string | null {
  const index = spec.blindIndex!
  if (index.of === 'child_in_data') {
    if (stored === null || stored === undefined) return null
    const value = DataCipher.isEncrypted(stored) ? run.cipher.decrypt(stored) : stored
    return childIndexOf(typeof value === 'string' ? JSON.parse(value) : value)
  }
  const clear = clearText(run, stored)
  return clear ? run.cipher.blindIndex(index.purpose, normaliseFiscalCode(clear)) : null
}

async function reencryptTable(run: Run, table: string, specs: EncryptedColumnSpec[]) {
  const valuePrefix = run.cipher.currentValuePrefix
  const hashPrefix = `${run.cipher.currentKeyId}:`
  const indexes = specs.filter((s) => s.blindIndex)
  // The prefix's length is ours, a number: inlined, so both engines see substr(text, int, int).
  const notUnder = (prefix: string) => `substr(??, 1, ${prefix.length}) <> ?`
  // Rows with a value not under the current key, or a blind index missing or under another key.
  const pending = (query: ReturnType<QueryClientContract['from']>) =>
    query.where((where) => {
      for (const spec of specs) {
        where.orWhere((q) => q.whereNotNull(spec.column).whereRaw(notUnder(valuePrefix), [spec.column, valuePrefix]))
      }
      for (const spec of indexes) {
        const column = spec.blindIndex!.column
        where.orWhere((q) => q.whereNull(column).whereNotNull(spec.column))
        where.orWhere((q) => q.whereNotNull(column).whereRaw(notUnder(hashPrefix), [column, hashPrefix]))
      }
    })
  const counted = await pending(db.from(table)).count('* as n').first()
  const stage: StageReport = {
    stage: table,
    total: Number(counted?.n ?? 0),
    done: 0,
    rewritten: 0,
    changedMeanwhile: 0,
  }
  run.report.stages.push(stage)
  if (stage.total === 0) return
  const columns = ['id', ...specs.map((s) => s.column), ...indexes.map((s) => s.blindIndex!.column)]
  const since = Date.now()
  let last = 0
  for (;;) {
    const rows = await pending(db.from(table)).select(columns).where('id', '>', last).orderBy('id').limit(run.batch)
    if (rows.length === 0) break
    await db.transaction(async (trx) => {
      for (const row of rows) {
        let changes: Record<string, unknown>
        try {
          changes = {}
          for (const spec of specs) {
            const value = rotated(run, row[spec.column], spec.plain)
            if (value !== undefined) changes[spec.column] = value
          }
          for (const spec of indexes) {
            const stored = row[spec.blindIndex!.column] as string | null
            const wanted = wantedIndex(run, spec, row[spec.column])
            if (stored === null ? wanted !== null : run.cipher.blindIndexNeedsRotation(stored)) {
              changes[spec.blindIndex!.column] = wanted
            }
          }
        } catch (error) {
          run.fail(table, row.id, error)
          continue
        }
        if (Object.keys(changes).length === 0) continue
        // Only if no one wrote the row since it was read: its old values are in the WHERE.
        const update = trx.from(table).where('id', row.id)
        for (const column of Object.keys(changes)) {
          if (row[column] === null) update.whereNull(column)
          else update.where(column, row[column])
        }
        const affected = await update.update(changes)
        if (Number(Array.isArray(affected) ? affected[0] : affected) > 0) stage.rewritten++
        else stage.changedMeanwhile++
      }
    })
    stage.done += rows.length
    last = rows[rows.length - 1].id
    await run.progress(table, stage.done, stage.total, stage.rewritten, since)
    if (run.stop()) return
  }
}

/**
 * The inbox's search terms (submission_search.ts) are keyed hashes of what the data hold: those
 * under an older key are computed again from the submission's data, under the current key.
 */
async function reindexSearchTerms(run: Run) {
  const hashPrefix = `${run.cipher.currentKeyId}:`
  const stale = () =>
    db.from('submission_search_terms').whereRaw(`substr(term, 1, ${hashPrefix.length}) <> ?`, [hashPrefix])
  const counted = await stale().countDistinct('submission_id as n').first()
  const stage: StageReport = {
    stage: 'submission_search_terms',
    total: Number(counted?.n ?? 0),
    done: 0,
    rewritten: 0,
    changedMeanwhile: 0,
  }
  run.report.stages.push(stage)
  if (stage.total === 0) return
  const since = Date.now()
  let last = 0
  for (;;) {
    const ids = (
      await stale()
        .distinct('submission_id')
        .where('submission_id', '>', last)
        .orderBy('submission_id')
        .limit(run.batch)
    ).map((r: { submission_id: number }) => Number(r.submission_id))
    if (ids.length === 0) break
    const rows = await db.from('submissions').whereIn('id', ids).select('id', 'tenant_id', 'data')
    await db.transaction(async (trx) => {
      for (const row of rows) {
        try {
          const data = DataCipher.isEncrypted(row.data)
            ? run.cipher.decrypt(row.data)
            : typeof row.data === 'string'
              ? JSON.parse(row.data)
              : row.data
          const terms = searchHashes(run.cipher, (data ?? {}) as Record<string, unknown>)
          await trx.from('submission_search_terms').where('submission_id', row.id).delete()
          if (terms.length) {
            await trx
              .table('submission_search_terms')
              .multiInsert(terms.map((term) => ({ tenant_id: row.tenant_id, submission_id: row.id, term })))
          }
          stage.rewritten++
        } catch (error) {
          run.fail('submission_search_terms', row.id, error)
        }
      }
    })
    stage.done += ids.length
    last = ids[ids.length - 1]
    await run.progress(stage.stage, stage.done, stage.total, stage.rewritten, since)
    if (run.stop()) return
  }
}

/**
 * Audit rows are append-only: only the ciphertext they hold is renewed. Every encrypted value is,
 * whatever its column's protection is today: rows written under an earlier registry (a column that
 * was an identifier then and is a special category now) hold ciphertext too.
 */
async function reencryptAudit(run: Run) {
  const encrypted = (query: ReturnType<QueryClientContract['from']>) =>
    query.where((where) => {
      for (const { column } of PARTLY_ENCRYPTED_JSON) where.orWhereRaw('CAST(?? AS TEXT) LIKE ?', [column, '%enc:v1:%'])
    })
  const counted = await encrypted(db.from('audit_logs')).count('* as n').first()
  const stage: StageReport = {
    stage: 'audit_logs',
    total: Number(counted?.n ?? 0),
    done: 0,
    rewritten: 0,
    changedMeanwhile: 0,
  }
  run.report.stages.push(stage)
  if (stage.total === 0) return
  const read = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value)
  const since = Date.now()
  let last = 0
  for (;;) {
    const rows = await encrypted(db.from('audit_logs'))
      .select('id', 'entity', 'before', 'after')
      .where('id', '>', last)
      .orderBy('id')
      .limit(run.batch)
    if (rows.length === 0) break
    await db.transaction(async (trx) => {
      for (const row of rows) {
        const changes: Record<string, string> = {}
        try {
          for (const { column } of PARTLY_ENCRYPTED_JSON) {
            const snapshot = read(row[column]) as Record<string, unknown> | null
            if (!snapshot || typeof snapshot !== 'object') continue
            let changed = false
            for (const [key, value] of Object.entries(snapshot)) {
              if (!DataCipher.isEncrypted(value) || !run.cipher.needsRotation(value)) continue
              snapshot[key] = run.cipher.encrypt(run.cipher.decrypt(value))
              changed = true
            }
            if (changed) changes[column] = JSON.stringify(snapshot)
          }
        } catch (error) {
          run.fail('audit_logs', row.id, error)
          continue
        }
        if (Object.keys(changes).length === 0) continue
        await trx.from('audit_logs').where('id', row.id).update(changes)
        stage.rewritten++
      }
    })
    stage.done += rows.length
    last = rows[rows.length - 1].id
    await run.progress('audit_logs', stage.done, stage.total, stage.rewritten, since)
    if (run.stop()) return
  }
}

/** Each stored file under the current key; files stored in clear are encrypted. */
async function reencryptFiles(run: Run) {
  const counted = await db.from('attachments').count('* as n').first()
  const files = run.report.files
  files.total = Number(counted?.n ?? 0)
  const since = Date.now()
  let last = 0
  for (;;) {
    const rows = await db
      .from('attachments')
      .select('id', 'tenant_id', 'file_id', 'sha256')
      .where('id', '>', last)
      .orderBy('id')
      .limit(run.batch)
    if (rows.length === 0) break
    for (const row of rows) {
      const tenantId = Number(row.tenant_id)
      const path = storagePath(tenantId, row.file_id)
      try {
        let stored: Buffer
        try {
          stored = await readFile(path)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
          files.missing++
          continue
        }
        if (!run.cipher.fileNeedsRotation(stored)) continue
        const context = attachmentContext(tenantId, row.file_id)
        const plain = run.cipher.decryptFile(stored, context)
        if (createHash('sha256').update(plain).digest('hex') !== row.sha256) {
          throw new Error(`file ${row.file_id} does not match its SHA-256: left as it is`)
        }
        // A complete copy renamed over the old one: an interruption leaves one or the other.
        const next = `${path}.rotating-${randomBytes(6).toString('hex')}`
        await writeFile(next, run.cipher.encryptFile(plain, context), { flag: 'wx' })
        await rename(next, path)
        files.rewritten++
        // The retention cleanup may have deleted the row (and the file) meanwhile: do not bring it back.
        if (!(await db.from('attachments').where('id', row.id).first())) await unlink(path).catch(() => {})
      } catch (error) {
        run.fail('attachments (files)', row.id, error)
      } finally {
        files.checked++
      }
    }
    last = rows[rows.length - 1].id
    await run.progress('files', files.checked, files.total, files.rewritten, since)
    if (run.stop()) return
  }
}

export async function reencryptAll(options: ReencryptionOptions = {}): Promise<ReencryptionReport> {
  const run = new Run(options)
  const stages: Array<() => Promise<void>> = [
    ...[...tables()].map(
      ([table, specs]) =>
        () =>
          reencryptTable(run, table, specs)
    ),
    () => reindexSearchTerms(run),
    () => reencryptAudit(run),
    () => reencryptFiles(run),
  ]
  for (const stage of stages) {
    await stage()
    if (run.report.interrupted) break
  }
  run.report.seconds = Math.round((Date.now() - run.started) / 100) / 10
  const rewritten = run.report.stages.reduce((sum, s) => sum + s.rewritten, 0) + run.report.files.rewritten
  if (rewritten > 0 || run.report.failureCount > 0) {
    await writeAudit(db.connection(), {
      tenantId: null,
      action: 'data.reencrypt',
      entity: 'data_keys',
      entityId: run.report.keyId,
      after: {
        interrupted: run.report.interrupted,
        rows: Object.fromEntries(run.report.stages.map((s) => [s.stage, s.rewritten])),
        files: run.report.files.rewritten,
        failures: run.report.failureCount,
      },
    })
  }
  return run.report
}
