import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { BaseModel } from '@adonisjs/lucid/orm'
import { DateTime } from 'luxon'
import { column } from '#models/columns'
import { column as sdkColumn } from '#sdk/index'
import Tenant from '#models/tenant'

const AT = DateTime.fromISO('2026-03-05T07:08:09.123', { zone: 'Europe/Rome' })

/** Counts the queries `Model.query` builds while `work` runs. */
async function queriesBuilt(Model: typeof Tenant, work: () => unknown) {
  const query = Model.query
  let built = 0
  Model.query = function (this: typeof Tenant, ...args: Parameters<typeof Tenant.query>) {
    built++
    return query.apply(this, args)
  } as typeof Tenant.query
  try {
    await work()
  } finally {
    Model.query = query
  }
  return built
}

test.group('Date-time columns', () => {
  test("are written in the dialect's format, without building a query of the model", async ({ assert }) => {
    const prepare = Tenant.$getColumn('createdAt')!.prepare!
    const format = db.connection().dialect.dateTimeFormat
    let written: unknown
    const built = await queriesBuilt(Tenant, () => (written = prepare(AT, 'createdAt', new Tenant())))
    assert.equal(built, 0)
    assert.equal(written, AT.toFormat(format))
    // A row in a transaction is prepared by that transaction's client.
    await db.transaction(async (trx) => {
      const row = new Tenant()
      row.useTransaction(trx)
      assert.equal(await queriesBuilt(Tenant, () => (written = prepare(AT, 'createdAt', row))), 0)
      assert.equal(written, AT.toFormat(trx.dialect.dateTimeFormat))
    })
  })

  test('a saved row reads back the instants it was stamped with (to the second)', async ({ assert }) => {
    await db.transaction(async (trx) => {
      const row = await Tenant.create(
        { slug: `dates-${Date.now()}`, name: 'Comune di Prova', fiscalCode: '00000000000', settings: {} },
        { client: trx }
      )
      const read = await Tenant.query({ client: trx }).where('id', row.id).firstOrFail()
      const second = (at: DateTime) => at.startOf('second').toUTC().toISO()
      assert.equal(second(read.createdAt), second(row.createdAt))
      assert.equal(second(read.updatedAt!), second(row.updatedAt!))
      await trx.rollback()
    })
  })

  test('strings and empty values pass as they are; anything else but a valid DateTime is refused', ({ assert }) => {
    const prepare = Tenant.$getColumn('createdAt')!.prepare!
    assert.equal(prepare('2026-03-05 07:08:09', 'createdAt', new Tenant()), '2026-03-05 07:08:09')
    assert.isNull(prepare(null, 'createdAt', new Tenant()))
    assert.throws(
      () => prepare(DateTime.fromISO('2026-02-30'), 'createdAt', new Tenant()),
      /Invalid value for "Tenant\.createdAt"\. unit out of range/
    )
    assert.throws(
      () => prepare(new Date(), 'createdAt', new Tenant()),
      /Invalid value for "Tenant\.createdAt"\. It must be an instance of "luxon\.DateTime"/
    )
  })

  test("a column's own prepare wins, and plugins get the same decorator through the SDK", ({ assert }) => {
    class Probe extends BaseModel {
      @column.dateTime({ prepare: () => 'own' })
      declare at: DateTime
    }
    assert.equal(Probe.$getColumn('at')!.prepare!(AT, 'at', new Probe()), 'own')
    assert.strictEqual(sdkColumn, column)
  })
})
