import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import { ENCRYPTED_COLUMNS, PARTLY_ENCRYPTED_JSON } from '#models/data_at_rest'
import type { AtRestMeta } from '#models/columns'
import { DataCipher, currentDataCipher } from '#services/infrastructure/data_cipher'
import { readableAuditValues } from '#services/infrastructure/audit_service'

/** Every model of app/models, so a new model's encrypted column cannot be missed. */
async function models(): Promise<LucidModel[]> {
  const files = (await readdir(app.makePath('app/models'))).filter((f) => f.endsWith('.ts'))
  const out: LucidModel[] = []
  for (const file of files) {
    const module = await import(`#models/${file.replace(/\.ts$/, '')}`)
    const candidate = module.default as LucidModel | undefined
    if (candidate && typeof candidate === 'function' && '$columnsDefinitions' in candidate) out.push(candidate)
  }
  return out
}

test.group('The registry of data encrypted at rest', () => {
  test('names exactly the columns the models encrypt, with the same class and blind indexes', async ({ assert }) => {
    const seen = new Set<string>()
    for (const model of await models()) {
      for (const [attribute, column] of model.$columnsDefinitions) {
        const meta = column.meta as AtRestMeta | undefined
        if (meta?.encrypted) {
          const spec = ENCRYPTED_COLUMNS.find((c) => c.table === model.table && c.column === column.columnName)
          assert.exists(spec, `${model.table}.${column.columnName} is encrypted but not in data_at_rest.ts`)
          assert.equal(spec!.attribute, attribute)
          assert.equal(spec!.protection, meta.encrypted, `${model.table}.${column.columnName}`)
          seen.add(`${model.table}.${column.columnName}`)
        }
        if (meta?.blindIndex) {
          const spec = ENCRYPTED_COLUMNS.find(
            (c) => c.table === model.table && c.blindIndex?.column === column.columnName
          )
          assert.exists(spec, `${model.table}.${column.columnName} is a blind index of no registered column`)
          assert.equal(spec!.blindIndex!.attribute, attribute)
        }
      }
    }
    for (const spec of ENCRYPTED_COLUMNS.filter((c) => c.attribute !== null)) {
      assert.isTrue(
        seen.has(`${spec.table}.${spec.column}`),
        `${spec.table}.${spec.column} has no encrypted model column`
      )
    }
  })

  test('every registered column exists in the database, with room for ciphertext', async ({ assert }) => {
    const client = db.connection().getWriteClient()
    // SQLite keeps declared lengths as a hint only (text affinity); PostgreSQL needs text.
    const textType = db.connection().dialect.name === 'postgres' ? /^text$/i : /^(text|varchar)$/i
    for (const spec of [...ENCRYPTED_COLUMNS, ...PARTLY_ENCRYPTED_JSON]) {
      const info = (await client.table(spec.table).columnInfo()) as Record<string, { type: string }>
      assert.property(info, spec.column, `${spec.table}.${spec.column}`)
      if ('protection' in spec) assert.match(info[spec.column].type, textType, `${spec.table}.${spec.column}`)
      if ('blindIndex' in spec && spec.blindIndex) assert.property(info, spec.blindIndex.column)
    }
  })
})

test.group('Audit values as tenant admins read them', () => {
  test("only the entity's identifiers are decrypted; a value under a key gone from the ring is named", ({ assert }) => {
    const cipher = currentDataCipher()
    const gone = new DataCipher(`old:${randomBytes(32).toString('base64')}`).encrypt('Lucia')
    const users = readableAuditValues('users', {
      fullName: cipher.encrypt('Mario Rossi'),
      fiscalCode: gone,
      email: 'enc:v1:written-by-someone',
    })
    assert.deepEqual(users, {
      fullName: 'Mario Rossi',
      fiscalCode: '[non decifrabile / cannot be decrypted]',
      email: 'enc:v1:written-by-someone',
    })
    // A tenant has no encrypted attribute: what looks like ciphertext there is someone's text.
    assert.deepEqual(readableAuditValues('tenants', { name: 'enc:v1:x:y:z:w' }), { name: 'enc:v1:x:y:z:w' })
    assert.isNull(readableAuditValues('users', null))
  })
})
