import { test } from '@japa/runner'
import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqlitePragmas } from '#config/database'
import { SqliteCheckpointer } from '#services/infrastructure/sqlite_checkpointer'

const quiet = { info() {}, error() {} }

test.group('SQLite checkpoints on a thread of their own', () => {
  test('the application connection leaves the log to the thread, which copies it into the database', async ({
    assert,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), 'sportello-checkpoint-'))
    const file = join(dir, 'db.sqlite3')
    const connection = new Database(file)
    sqlitePragmas(connection, (error) => {
      if (error) throw error
    })
    // An interval far away: only the checkpoints asked for here run.
    const checkpointer = new SqliteCheckpointer(file, quiet, 3_600_000)
    try {
      connection.exec('create table rows (id integer primary key, body text)')
      const insert = connection.prepare('insert into rows (body) values (?)')
      // More than SQLite's own default limit (1,000 pages): with it, a commit of this process would
      // have copied the log on the event loop already.
      for (let i = 0; i < 600; i++) connection.transaction(() => insert.run('x'.repeat(8000)))()
      const databaseBefore = statSync(file).size
      const first = await checkpointer.now()
      assert.isAbove(first.log, 1000)
      assert.equal(first.checkpointed, first.log)
      assert.isAbove(statSync(file).size, databaseBefore)
      // What was copied reads the same from a connection that never saw the log.
      connection.close()
      const fresh = new Database(file, { readonly: true })
      assert.equal((fresh.prepare('select count(*) as n from rows').get() as { n: number }).n, 600)
      fresh.close()
    } finally {
      await checkpointer.stop()
      if (connection.open) connection.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a database the application creates after the thread started is checkpointed once it exists', async ({
    assert,
  }) => {
    // A fresh machine: the thread starts before the first connection creates the file. It used to
    // stop for good on that (with the message "undefined"), leaving every later commit's log to
    // the connections' own limit.
    const errors: string[] = []
    const dir = mkdtempSync(join(tmpdir(), 'sportello-checkpoint-late-'))
    const file = join(dir, 'db.sqlite3')
    const checkpointer = new SqliteCheckpointer(
      file,
      { info() {}, error: (message) => errors.push(message) },
      3_600_000
    )
    try {
      await assert.rejects(() => checkpointer.now(), /does not exist yet/)
      const connection = new Database(file)
      sqlitePragmas(connection, (error) => {
        if (error) throw error
      })
      connection.exec('create table rows (id integer primary key, body text)')
      const insert = connection.prepare('insert into rows (body) values (?)')
      for (let i = 0; i < 50; i++) connection.transaction(() => insert.run('x'.repeat(8000)))()
      const result = await checkpointer.now()
      assert.isAbove(result.log, 50)
      assert.equal(result.checkpointed, result.log)
      connection.close()
      assert.deepEqual(errors, [], 'a file not created yet is not an error')
    } finally {
      await checkpointer.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a database that cannot be opened is reported with its cause, once, and the process goes on', async ({
    assert,
  }) => {
    const errors: string[] = []
    const dir = mkdtempSync(join(tmpdir(), 'sportello-checkpoint-bad-'))
    // A directory where the file should be: it exists, and no database opens on it.
    const file = join(dir, 'db.sqlite3')
    mkdirSync(file)
    const checkpointer = new SqliteCheckpointer(file, { info() {}, error: (message) => errors.push(message) }, 20)
    try {
      await assert.rejects(() => checkpointer.now(), /SQLITE_CANTOPEN/)
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.lengthOf(errors, 1, `one message for a lasting failure, got: ${JSON.stringify(errors)}`)
      assert.match(errors[0], /checkpoint failed.*SQLITE_CANTOPEN/)
    } finally {
      await checkpointer.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a process waiting for the thread to stop is not ended before it has stopped', async ({ assert }) => {
    // The thread does not keep an idle process alive, but stopping it must: a test run's teardown
    // awaits it and then prints its summary and sets its exit code.
    const platform = fileURLToPath(new URL('../../../', import.meta.url))
    // tmp/ holds the suite's own database on SQLite only: a run on PostgreSQL in a fresh clone has none.
    mkdirSync(join(platform, 'tmp'), { recursive: true })
    const dir = mkdtempSync(join(platform, 'tmp', 'checkpoint-exit-'))
    const file = join(dir, 'db.sqlite3')
    new Database(file).close()
    const probe = join(dir, 'probe.ts')
    writeFileSync(
      probe,
      [
        "import { SqliteCheckpointer } from '#services/infrastructure/sqlite_checkpointer'",
        `const checkpointer = new SqliteCheckpointer(${JSON.stringify(file)}, { info() {}, error() {} })`,
        'await checkpointer.stop()',
        "process.stdout.write('after stop')",
        'process.exitCode = 3',
      ].join('\n')
    )
    try {
      const outcome = await promisify(execFile)('node', ['--import=ts-node-maintained/register/esm', probe], {
        cwd: platform,
      }).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => error
      )
      assert.equal(outcome.stdout, 'after stop')
      assert.equal(outcome.code, 3)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }).timeout(60_000)
})
