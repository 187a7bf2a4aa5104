/**
 * Prepared statements kept per SQLite connection. knex's better-sqlite3 client prepares every
 * statement again at each call (parse, plan, and a native object built and dropped), a few percent
 * of a busy process's time for the same few dozen statements. Each connection keeps the statements
 * it prepared, by their SQL text, and hands the same one back: the statements belong to the
 * connection that prepared them, so two connections (a pool, or another process) never share one.
 *
 * A kept statement stays right when the schema changes (a migration run by this process or another
 * one): SQLite notices the schema cookie changed at the next step and prepares it again by itself,
 * so a `select *` kept before a column was added answers the new column too
 * (tests/unit/database/sqlite_statements.spec.ts).
 *
 * Bounded: the least recently used statement is dropped past `max`, and a very long text (a
 * multi-row insert of a rare size) is prepared without being kept.
 */
export interface StatementLike {
  safeIntegers(toggle?: boolean): unknown
}

export interface PreparingConnection {
  prepare(source: string): StatementLike
}

export const KEPT_STATEMENTS = 300
export const KEPT_SQL_LENGTH = 8000

const kept = Symbol('sportello.keptStatements')

/** Makes `connection.prepare` answer a statement it already prepared for the same text. */
export function keepPreparedStatements<C extends PreparingConnection>(connection: C, max = KEPT_STATEMENTS): C {
  const target = connection as C & { [kept]?: Map<string, StatementLike> }
  if (target[kept]) return connection
  const statements = new Map<string, StatementLike>()
  target[kept] = statements
  const prepare = connection.prepare.bind(connection)
  connection.prepare = (source: string) => {
    const found = statements.get(source)
    if (found) {
      // Most recently used last, so that the first is the one to drop.
      statements.delete(source)
      statements.set(source, found)
      // knex sets integer handling only when asked: a kept statement starts from the default again.
      found.safeIntegers(false)
      return found
    }
    const statement = prepare(source)
    if (source.length <= KEPT_SQL_LENGTH) {
      statements.set(source, statement)
      if (statements.size > max) statements.delete(statements.keys().next().value!)
    }
    return statement
  }
  return connection
}

/** How many statements a connection keeps (0 for one that keeps none): for the tests. */
export function keptStatementCount(connection: object): number {
  return (connection as { [kept]?: Map<string, unknown> })[kept]?.size ?? 0
}
