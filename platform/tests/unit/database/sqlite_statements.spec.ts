import { test } from '@japa/runner'
import Database from 'better-sqlite3'
import db from '@adonisjs/lucid/services/db'
import { sqlitePragmas } from '#config/database'
import { keepPreparedStatements, keptStatementCount, KEPT_SQL_LENGTH } from '#services/infrastructure/sqlite_statements'

function connection() {
  const opened = new Database(':memory:')
  sqlitePragmas(opened, (error) => {
    if (error) throw error
  })
  return opened
}

test.group('SQLite statements kept per connection', () => {
  test('a connection answers the statement it prepared for the same text, another connection its own', ({ assert }) => {
    const one = connection()
    const two = connection()
    try {
      const first = one.prepare('select 1 as n')
      assert.strictEqual(one.prepare('select 1 as n'), first)
      assert.notStrictEqual(two.prepare('select 1 as n'), first)
      assert.notStrictEqual(one.prepare('select 2 as n'), first)
      assert.deepEqual(one.prepare('select 1 as n').all(), [{ n: 1 }])
      assert.equal(keptStatementCount(one), 2)
      assert.equal(keptStatementCount(two), 1)
    } finally {
      one.close()
      two.close()
    }
  })

  test('a kept statement follows a migration: new columns, a table dropped and created again', ({ assert }) => {
    const opened = connection()
    try {
      opened.exec("create table pupils (id integer primary key, name text); insert into pupils (name) values ('Ada')")
      const read = () => opened.prepare('select * from pupils').all()
      assert.deepEqual(read(), [{ id: 1, name: 'Ada' }])
      opened.exec("alter table pupils add column school text default 'Pascoli'")
      assert.deepEqual(read(), [{ id: 1, name: 'Ada', school: 'Pascoli' }])
      opened.exec('drop table pupils; create table pupils (code text)')
      assert.deepEqual(read(), [])
      opened.exec('drop table pupils')
      assert.throws(read, /no such table/)
      assert.equal(keptStatementCount(opened), 1)
    } finally {
      opened.close()
    }
  })

  test('the statements kept are bounded: the least recently used goes, a very long text is not kept', ({ assert }) => {
    const opened = keepPreparedStatements(new Database(':memory:'), 3)
    try {
      const a = opened.prepare('select 1')
      opened.prepare('select 2')
      opened.prepare('select 3')
      // Used again: now the most recent, so "select 2" is the one dropped by the fourth.
      assert.strictEqual(opened.prepare('select 1'), a)
      opened.prepare('select 4')
      assert.equal(keptStatementCount(opened), 3)
      assert.strictEqual(opened.prepare('select 1'), a)
      const long = `select '${'x'.repeat(KEPT_SQL_LENGTH)}' as n`
      assert.notStrictEqual(opened.prepare(long), opened.prepare(long))
      assert.equal(keptStatementCount(opened), 3)
    } finally {
      opened.close()
    }
  })

  test('integer handling asked for one call does not stick to the kept statement', ({ assert }) => {
    const opened = connection()
    try {
      const statement = opened.prepare('select 9007199254740993 as n')
      statement.safeIntegers(true)
      assert.equal(typeof (statement.get() as { n: unknown }).n, 'bigint')
      assert.equal(typeof (opened.prepare('select 9007199254740993 as n').get() as { n: unknown }).n, 'number')
    } finally {
      opened.close()
    }
  })

  test('the application connection keeps its statements when it is SQLite', async ({ assert }) => {
    const client = db.connection()
    if (client.dialect.name !== 'better-sqlite3') {
      assert.equal(client.dialect.name, 'postgres')
      return
    }
    const knex = client.getWriteClient()
    // The pool holds one connection on SQLite: take it only to look, and give it back before querying.
    const kept = async () => {
      const raw = (await knex.client.acquireConnection()) as Database.Database
      const count = keptStatementCount(raw)
      await knex.client.releaseConnection(raw)
      return count
    }
    const before = await kept()
    await db.rawQuery('select ? as kept_statement_probe', [1])
    await db.rawQuery('select ? as kept_statement_probe', [2])
    assert.equal(await kept(), before + 1)
  })
})
