import { test } from '@japa/runner'
import Database from 'better-sqlite3'
import db from '@adonisjs/lucid/services/db'
import { sqlitePragmas } from '#config/database'
import {
  keepPreparedStatements,
  keptStatementCount,
  KEPT_SQL_LENGTH,
  limitPlaceholders,
} from '#services/infrastructure/sqlite_statements'

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
      // The same with a limit written into the text.
      const limited = 'select 9007199254740993 as n limit ?'
      const once = opened.prepare(limited)
      once.safeIntegers(true)
      assert.equal(typeof (once.get(1) as { n: unknown }).n, 'bigint')
      assert.equal(typeof (opened.prepare(limited).get(1) as { n: unknown }).n, 'number')
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

  test("a limit's value is written into the statement that runs; the answers are the same", ({ assert }) => {
    const opened = new Database(':memory:')
    const prepared: string[] = []
    try {
      opened.exec('create table pupils (id integer primary key, name text)')
      opened.exec("insert into pupils (name) values ('Ada'), ('Bice'), ('Carla'), ('Dora')")
      // What reaches SQLite's own prepare, through the kept statements.
      const counting = keepPreparedStatements({
        prepare: (text: string) => {
          prepared.push(text)
          return opened.prepare(text)
        },
      })
      const text = 'select name from pupils where id > ? order by id limit ? offset ?'
      const read = (...values: unknown[]) =>
        (counting.prepare(text) as unknown as { all(v: unknown[]): Array<{ name: string }> })
          .all(values)
          .map((r) => r.name)
      for (let i = 0; i < 3; i++) assert.deepEqual(read(0, 1, 0), ['Ada'])
      assert.deepEqual(read(0, 2, 1), ['Bice', 'Carla'])
      assert.deepEqual(read(1, 1, 2), ['Dora'])
      assert.deepEqual(read(0, 0, 0), [])
      assert.deepEqual(read(0, -1, 2), ['Carla', 'Dora'], 'LIMIT -1: every row')
      // Values bound one by one, and get/run/iterate, give the same answers.
      const statement = counting.prepare(text) as unknown as {
        get(...v: unknown[]): { name: string }
        iterate(...v: unknown[]): Iterable<{ name: string }>
        reader: boolean
      }
      assert.isTrue(statement.reader)
      assert.equal(statement.get(2, 1, 0).name, 'Carla')
      assert.deepEqual(
        [...statement.iterate(0, 2, 0)].map((r) => r.name),
        ['Ada', 'Bice']
      )
      // Not a safe integer: run as written, and SQLite answers as it would.
      assert.deepEqual(read(0, '2', 0), ['Ada', 'Bice'])
      assert.throws(() => read(0, 'two', 0), /datatype mismatch/)
      // The text as written once, then one text per limit, each prepared once.
      assert.deepEqual(prepared, [
        text,
        'select name from pupils where id > ? order by id limit 1 offset ?',
        'select name from pupils where id > ? order by id limit 2 offset ?',
        'select name from pupils where id > ? order by id limit 0 offset ?',
        'select name from pupils where id > ? order by id limit -1 offset ?',
      ])
    } finally {
      opened.close()
    }
  })

  test('only the placeholders of a LIMIT are written in: not those in quotes, comments or other clauses', ({
    assert,
  }) => {
    const at = (text: string) => limitPlaceholders(text).map((p) => [p.index, text.slice(p.at - 6, p.at + 1)])
    assert.deepEqual(at('select * from t where a = ? limit ?'), [[1, 'limit ?']])
    assert.deepEqual(at('select * from (select * from t limit ?) where b in (?, ?) LIMIT  ?'), [
      [0, 'limit ?'],
      [3, 'IMIT  ?'],
    ])
    assert.deepEqual(at("select 'limit ?' as a, `limit ?` as b from t where c = ? limit ?"), [[1, 'limit ?']])
    assert.deepEqual(at('select 1 -- limit ?\nfrom t where d = ? /* limit ? */ limit ?'), [[1, 'limit ?']])
    assert.deepEqual(at("select * from t where e = 'it''s ?' and f = ? limit ?"), [[1, 'limit ?']])
    assert.deepEqual(at('select * from t where nolimit ? limit ?'), [[1, 'limit ?']])
    // Numbered or named parameters, or a quote left open: left as written.
    assert.deepEqual(at('select * from t where a = ?1 limit ?2'), [])
    assert.deepEqual(at('select * from t where a = :a limit ?'), [])
    assert.deepEqual(at("select 'open limit ?"), [])
  })
})
