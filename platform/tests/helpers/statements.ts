import db from '@adonisjs/lucid/services/db'

/** Calls `onQuery` for every statement the application's connection runs while `work` runs. */
export async function onQueriesWhile<T>(onQuery: (query: { sql: string }) => void, work: () => Promise<T>) {
  const knex = db.connection().getWriteClient()
  knex.on('query', onQuery)
  try {
    return await work()
  } finally {
    knex.off('query', onQuery)
  }
}

export type SeenQuery = { sql: string; bindings: unknown[] }

/** Every statement (with its values) the application's connection runs while `work` runs that `pattern` matches. */
export async function queriesWhile(pattern: RegExp, work: () => Promise<unknown>) {
  const seen: SeenQuery[] = []
  await onQueriesWhile((query: { sql: string; bindings?: unknown[] }) => {
    if (pattern.test(query.sql)) seen.push({ sql: query.sql, bindings: [...(query.bindings ?? [])] })
  }, work)
  return seen
}

/**
 * SQLite's plan for a statement seen, one step a line; null on PostgreSQL. SQLite plans without
 * statistics, as an installation's database is; PostgreSQL plans from statistics a test's handful
 * of rows does not give, so a plan there says nothing of a busy installation's.
 */
export async function sqlitePlan(query: SeenQuery): Promise<string | null> {
  if (db.connection().dialect.name === 'postgres') return null
  const explained = await db.rawQuery(`explain query plan ${query.sql}`, query.bindings as never)
  return explained.map((r: { detail: string }) => r.detail).join('\n')
}

/** The SQL of every statement the application's connection runs while `work` runs that `pattern` matches. */
export async function statementsWhile(pattern: RegExp, work: () => Promise<unknown>) {
  return (await queriesWhile(pattern, work)).map((query) => query.sql)
}
