import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { defineConfig } from '@adonisjs/lucid'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

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
 * every request. In WAL mode a commit appends to one log and syncs it once, instead of writing a
 * rollback journal and the database with several syncs; synchronous stays FULL, so a submission
 * answered 201 is on disk even after a power loss (NORMAL, which skips that sync, left a whole
 * checkpoint's sync to one unlucky request: a stall of a second on a busy disk). busy_timeout lets a
 * second process (a worker beside the web process) wait for the write lock instead of failing with
 * SQLITE_BUSY. Foreign keys stay on (better-sqlite3's default), said here so that it does not depend
 * on how the driver was built.
 */
export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = FULL', 'busy_timeout = 5000', 'foreign_keys = ON']

// knex hands afterCreate the driver's connection: better-sqlite3's Database.
export function sqlitePragmas(connection: { pragma(source: string): unknown }, done: (error: Error | null) => void) {
  try {
    for (const pragma of SQLITE_PRAGMAS) connection.pragma(pragma)
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
