import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { defineConfig } from '@adonisjs/lucid'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { keepPreparedStatements, type PreparingConnection } from '#services/infrastructure/sqlite_statements'

/*
 * SQLite (better-sqlite3) is the embedded default; PostgreSQL 15 when
 * DB_CONNECTION=pg. Every migration and query must run on both.
 */
const useSqlite = env.get('DB_CONNECTION') === 'sqlite'
// Needed only for SQLite: a PostgreSQL deployment does not name a file it never uses.
const sqliteFile = env.get('SQLITE_PATH')
if (useSqlite && !sqliteFile) throw new Error('SQLITE_PATH must be set when DB_CONNECTION=sqlite')
const sqlitePath = resolve(app.makePath(), sqliteFile ?? 'unused.sqlite3')
if (useSqlite) mkdirSync(dirname(sqlitePath), { recursive: true })

/**
 * better-sqlite3 runs every statement on the event loop, so a commit that waits for the disk stalls
 * every request. In WAL mode a commit appends to one log; with `synchronous = NORMAL` it does not
 * wait for the disk either: the log is synced when it is copied back into the database (a
 * checkpoint), which a worker thread does off the event loop (services/infrastructure/
 * sqlite_checkpointer.ts). The trade-off, stated in docs/security.md ("Under load"): a transaction
 * that committed survives the process being killed (kill -9, a crash: the log is in the operating
 * system's hands), but the last commits before a power loss or a kernel crash may be rolled back;
 * the database itself stays consistent. `FULL` synced the log at every commit, 25-40 ms of a frozen
 * event loop on a busy disk, several times per submission. The connections' own automatic
 * checkpoint is kept as a safety net at 10,000 pages (about 40 MB of log), far past what the thread
 * leaves, so that it does not run inside a request while the thread works. busy_timeout lets
 * another connection (the checkpoint thread, a command beside the server) wait for a lock instead of
 * failing with SQLITE_BUSY. Foreign keys stay on (better-sqlite3's default), said here so that it
 * does not depend on how the driver was built.
 */
export const SQLITE_PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'wal_autocheckpoint = 10000',
  'busy_timeout = 5000',
  'foreign_keys = ON',
]

/**
 * knex hands afterCreate the driver's connection: better-sqlite3's Database. Besides the pragmas,
 * each connection keeps the statements it prepared (services/infrastructure/sqlite_statements.ts).
 */
export function sqlitePragmas(
  connection: PreparingConnection & { pragma(source: string): unknown },
  done: (error: Error | null) => void
) {
  try {
    for (const pragma of SQLITE_PRAGMAS) connection.pragma(pragma)
    keepPreparedStatements(connection)
    done(null)
  } catch (error) {
    done(error as Error)
  }
}

const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION'),
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: { filename: sqlitePath },
      useNullAsDefault: true,
      pool: { afterCreate: sqlitePragmas },
      migrations: { naturalSort: true, paths: ['database/migrations'] },
      seeders: { paths: ['database/seeders'] },
    },
    pg: {
      client: 'pg',
      connection: {
        host: env.get('PG_HOST', '127.0.0.1'),
        port: env.get('PG_PORT', 5432),
        user: env.get('PG_USER', 'postgres'),
        password: env.get('PG_PASSWORD', ''),
        database: env.get('PG_DB_NAME', 'sportello'),
      },
      // Connections each process may hold: (web + worker processes) x this must stay under max_connections.
      pool: { min: 0, max: env.get('PG_POOL_MAX', 10) },
      migrations: { naturalSort: true, paths: ['database/migrations'] },
      seeders: { paths: ['database/seeders'] },
    },
  },
})

export default dbConfig
