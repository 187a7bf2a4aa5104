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

const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION'),
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: { filename: sqlitePath },
      useNullAsDefault: true,
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
