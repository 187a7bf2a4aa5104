import { test } from '@japa/runner'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import { sqlitePragmas } from '#config/database'

/** What a connection reports for the pragmas that decide how long a commit holds the event loop. */
function pragmasOf(connection: Database.Database) {
  return {
    journal: connection.pragma('journal_mode', { simple: true }),
    synchronous: connection.pragma('synchronous', { simple: true }),
    busyTimeout: connection.pragma('busy_timeout', { simple: true }),
    foreignKeys: connection.pragma('foreign_keys', { simple: true }),
    autocheckpoint: connection.pragma('wal_autocheckpoint', { simple: true }),
  }
}

test.group('SQLite connections', () => {
  test('every new connection is put in WAL mode, synchronous=NORMAL, with a busy timeout', ({ assert }) => {
    const dir = mkdtempSync(join(tmpdir(), 'sportello-pragmas-'))
    const connection = new Database(join(dir, 'db.sqlite3'))
    try {
      // A fresh file starts in rollback-journal mode with a full sync at every commit.
      assert.equal(pragmasOf(connection).journal, 'delete')
      assert.equal(pragmasOf(connection).synchronous, 2)
      let failure: Error | null | undefined
      sqlitePragmas(connection, (error) => (failure = error))
      assert.isNull(failure)
      assert.deepEqual(pragmasOf(connection), {
        journal: 'wal',
        // NORMAL: a commit does not wait for the disk; the checkpoint thread syncs (config/database.ts).
        synchronous: 1,
        busyTimeout: 5000,
        foreignKeys: 1,
        // The connection's own checkpoint only as a safety net, far past what the thread leaves.
        autocheckpoint: 10000,
      })
    } finally {
      connection.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the application connection has them when it is SQLite', async ({ assert }) => {
    const dialect = db.connection().dialect.name
    if (dialect !== 'better-sqlite3' && dialect !== 'sqlite3') {
      // PostgreSQL: nothing of this applies; the connection answers as usual.
      assert.equal(dialect, 'postgres')
      return
    }
    const mode = await db.rawQuery('PRAGMA journal_mode')
    const sync = await db.rawQuery('PRAGMA synchronous')
    assert.equal(mode[0].journal_mode, 'wal')
    assert.equal(sync[0].synchronous, 1)
  })
})
