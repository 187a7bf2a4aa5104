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

/** The SQL of every statement the application's connection runs while `work` runs that `pattern` matches. */
export async function statementsWhile(pattern: RegExp, work: () => Promise<unknown>) {
  const seen: string[] = []
  await onQueriesWhile((query) => {
    if (pattern.test(query.sql)) seen.push(query.sql)
  }, work)
  return seen
}
