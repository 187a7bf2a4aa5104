import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { LucidModel, LucidRow, ModelAttributes } from '@adonisjs/lucid/types/model'

/**
 * What `save()` does to a new row besides its insert, which Lucid keeps out of its public types:
 * filling the columns created automatically (timestamps) and turning attributes into stored values
 * (each column's `prepare`: JSON, booleans, encryption at rest, dates in the dialect's format).
 */
interface RowBeforeInsert {
  initiateAutoCreateColumns(): void
  prepareForAdapter(attributes: Record<string, unknown>): Record<string, unknown>
}

/**
 * New rows of one model written by one multi-row insert in `trx` instead of one insert each (a new
 * sending's two history steps): the model's hooks run as `save()` runs them (before and after
 * create and save: the tenant assigned and checked by TenantScoped, an audited model's audit row),
 * the stored values are those `save()` would store, and the rows come back persisted, with their
 * ids, in the order given. One round trip to the database instead of one per row.
 */
export async function createTogether<Model extends LucidModel>(
  model: Model,
  values: Array<Partial<ModelAttributes<InstanceType<Model>>>>,
  trx: TransactionClientContract
): Promise<Array<InstanceType<Model>>> {
  if (values.length === 0) return []
  const rows = values.map((value) => {
    const row = new model() as InstanceType<Model>
    row.useTransaction(trx)
    row.merge(value)
    return row
  })
  for (const row of rows) {
    await model.$hooks.runner('before:create').run(row)
    await model.$hooks.runner('before:save').run(row)
  }
  const stored = rows.map((row) => {
    const internal = row as unknown as RowBeforeInsert & LucidRow
    internal.initiateAutoCreateColumns()
    return internal.prepareForAdapter(row.$attributes)
  })
  const key = model.$getColumn(model.primaryKey)!.columnName
  // Through knex: Lucid's insert query drops `returning` on SQLite, which has it since 3.35.
  const returned = (await trx.knexQuery().table(model.table).insert(stored).returning(key)) as Array<
    Record<string, unknown> | number
  >
  // Ids are given in the order of the rows inserted; sorted, they pair with the rows as given
  // whatever order the database returns them in.
  const ids = returned.map((r) => Number(typeof r === 'object' ? r[key] : r)).sort((a, b) => a - b)
  if (ids.length !== rows.length) {
    throw new Error(`${model.name}: ${rows.length} rows inserted together, ${ids.length} ids returned`)
  }
  for (const [i, row] of rows.entries()) {
    row.$consumeAdapterResult({ [key]: ids[i] })
    row.$hydrateOriginals()
    row.$isPersisted = true
    await model.$hooks.runner('after:create').run(row)
    await model.$hooks.runner('after:save').run(row)
  }
  return rows
}
