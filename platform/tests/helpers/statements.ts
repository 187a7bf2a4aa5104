import db from '@adonisjs/lucid/services/db'

/** The SQL of every statement the application's connection runs while `work` runs that `pattern` matches. */
export async function statementsWhile(pattern: RegExp, work: () => Promise<unknown>) {
  const seen: string[] = []
  const listener = (query: { sql: string }) => {
    if (pattern.test(query.sql)) seen.push(query.sql)
  }
  const knex = db.connection().getWriteClient()
  knex.on('query', listener)
  try {
    await work()
  } finally {
    knex.off('query', listener)
  }
  return seen
}
