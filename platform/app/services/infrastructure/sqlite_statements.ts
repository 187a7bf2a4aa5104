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
 *
 * A `limit ?` is run with its number written in the text. SQLite reads a LIMIT's value when it
 * plans the statement (to size the result), and a statement planned on a bound value is marked to
 * be planned again whenever that value is bound: every `.first()` (knex binds its `limit 1`) was
 * parsed and planned again at each run, as if nothing were kept. With the number in the text
 * (`limit 1`, an integer, nothing a caller writes as text) the statement is planned once per
 * limit. A value that is not a safe integer runs the statement as written.
 */
export interface StatementLike {
  safeIntegers(toggle?: boolean): unknown
}

/** The parts of better-sqlite3's statement knex and the platform use. */
interface RunnableStatement extends StatementLike {
  readonly reader: boolean
  readonly source: string
  all(...params: unknown[]): unknown
  get(...params: unknown[]): unknown
  run(...params: unknown[]): unknown
  iterate(...params: unknown[]): unknown
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
    const written = prepare(source)
    const limits = source.length <= KEPT_SQL_LENGTH ? limitPlaceholders(source) : []
    const statement =
      limits.length > 0
        ? new LimitWritten(
            written as RunnableStatement,
            limits,
            (text) => connection.prepare(text) as RunnableStatement
          )
        : written
    if (source.length <= KEPT_SQL_LENGTH) {
      statements.set(source, statement)
      if (statements.size > max) statements.delete(statements.keys().next().value!)
    }
    return statement
  }
  return connection
}

/** A `limit ?`'s placeholder: its position in the text and among the values bound. */
interface LimitPlaceholder {
  at: number
  index: number
}

const LIMIT_BEFORE = /\blimit\s+$/i

/**
 * The placeholders of a text that are a LIMIT's value. One pass; text in quotes and comments is
 * skipped. A text with numbered or named parameters is left as it is (none found).
 */
export function limitPlaceholders(source: string): LimitPlaceholder[] {
  const found: LimitPlaceholder[] = []
  let index = 0
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const end = source.indexOf(c === '[' ? ']' : c, i + 1)
      if (end < 0) return []
      i = end
    } else if (c === '-' && source[i + 1] === '-') {
      const end = source.indexOf('\n', i)
      if (end < 0) break
      i = end
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2)
      if (end < 0) return []
      i = end + 1
    } else if (c === '?') {
      if (/[0-9]/.test(source[i + 1] ?? '')) return []
      if (LIMIT_BEFORE.test(source.slice(Math.max(0, i - 16), i))) found.push({ at: i, index })
      index++
    } else if ((c === ':' || c === '@' || c === '$') && /[A-Za-z_]/.test(source[i + 1] ?? '')) {
      return []
    }
  }
  return found
}

/** A statement whose `limit ?` values are written into the text it runs (see above). */
class LimitWritten implements RunnableStatement {
  #integers = false
  /** The positions, among the values bound, of the limits written into the text. */
  #written: Set<number>

  constructor(
    readonly written: RunnableStatement,
    readonly limits: LimitPlaceholder[],
    readonly prepare: (text: string) => RunnableStatement
  ) {
    this.#written = new Set(limits.map((l) => l.index))
  }

  get reader() {
    return this.written.reader
  }

  get source() {
    return this.written.source
  }

  safeIntegers(toggle = true) {
    this.#integers = toggle
    return this
  }

  all(...params: unknown[]) {
    return this.#call('all', params)
  }

  get(...params: unknown[]) {
    return this.#call('get', params)
  }

  run(...params: unknown[]) {
    return this.#call('run', params)
  }

  iterate(...params: unknown[]) {
    return this.#call('iterate', params)
  }

  #call(method: 'all' | 'get' | 'run' | 'iterate', params: unknown[]) {
    const [statement, values] = this.#resolve(params)
    return statement[method](...values)
  }

  /** The statement with the limits written in, and the values left to bind; or the text as written. */
  #resolve(params: unknown[]): [RunnableStatement, unknown[]] {
    // knex binds one array; a caller may also pass the values one by one.
    const values = params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params
    let text = ''
    let from = 0
    for (const { at, index } of this.limits) {
      const value = values[index]
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        this.written.safeIntegers(this.#integers)
        return [this.written, values]
      }
      text += this.written.source.slice(from, at) + String(value)
      from = at + 1
    }
    text += this.written.source.slice(from)
    const statement = this.prepare(text)
    statement.safeIntegers(this.#integers)
    return [statement, values.filter((_v, i) => !this.#written.has(i))]
  }
}

/** How many statements a connection keeps (0 for one that keeps none): for the tests. */
export function keptStatementCount(connection: object): number {
  return (connection as { [kept]?: Map<string, unknown> })[kept]?.size ?? 0
}
