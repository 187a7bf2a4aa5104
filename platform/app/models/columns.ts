import { errors } from '@adonisjs/lucid'
import { column as lucidColumn } from '@adonisjs/lucid/orm'
import type { LucidModel, LucidRow } from '@adonisjs/lucid/types/model'
import { DateTime } from 'luxon'
import { DataCipher, currentDataCipher } from '#services/infrastructure/data_cipher'

/**
 * Column options shared by models so that every engine stores values the
 * same way: SQLite hands back JSON as text and booleans as 0/1, PostgreSQL as
 * objects and booleans.
 */
export const jsonColumn = {
  prepare: (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value)),
  consume: (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value),
}

export const booleanColumn = {
  prepare: (value: unknown) => (value === null || value === undefined ? value : Boolean(value)),
  consume: (value: unknown) => (value === null || value === undefined ? value : Boolean(value)),
}

/** How a column is protected at rest (see data_at_rest.ts); the audit mixin reads it. */
export interface AtRestMeta {
  encrypted?: 'special' | 'identifier'
  blindIndex?: boolean
}

const encrypt = (value: unknown) => (value === undefined || value === null ? null : currentDataCipher().encrypt(value))
const decrypt = (value: unknown) => (DataCipher.isEncrypted(value) ? currentDataCipher().decrypt(value) : value)
/** Identifiers are read at every request (the user's row): their plain text is kept (DataCipher.decryptKept). */
const decryptIdentifier = (value: unknown) =>
  DataCipher.isEncrypted(value) ? currentDataCipher().decryptKept(value) : value

/**
 * Special categories and ISEE, encrypted at rest (AES-256-GCM); the audit log records only that
 * such a column changed. Every column using it is listed in data_at_rest.ts.
 */
export const encryptedColumn = {
  meta: { encrypted: 'special' } satisfies AtRestMeta,
  prepare: encrypt,
  consume: decrypt,
}

/**
 * Personal identifiers (names, codici fiscali, birth dates), encrypted at rest; the audit log keeps
 * their values encrypted. Every column using it is listed in data_at_rest.ts.
 */
export const identifierColumn = {
  meta: { encrypted: 'identifier' } satisfies AtRestMeta,
  prepare: encrypt,
  consume: decryptIdentifier,
}

/** A blind index (keyed hash) beside an encrypted column: for look-ups, never shown or audited. */
export const blindIndexColumn = {
  meta: { blindIndex: true } satisfies AtRestMeta,
  serializeAs: null,
}

/**
 * A date-time value as its row's database stores it (the dialect's format), as Lucid's own
 * preparation does; but that one builds a whole query of the model for every date column written,
 * only to read the format off its client. This reads it off the row's transaction, or the client
 * the model would use.
 */
function prepareDateTime(value: unknown, attribute: string, row: LucidRow) {
  if (typeof value === 'string' || !value) return value
  const Model = row.constructor as LucidModel
  const invalid = (reason: string | null) =>
    new errors.E_INVALID_DATE_COLUMN_VALUE([`${Model.name}.${attribute}`, reason ?? 'invalid'])
  if (!DateTime.isDateTime(value)) throw invalid('It must be an instance of "luxon.DateTime"')
  if (!value.isValid) throw invalid(value.invalidReason)
  const client = row.$trx ?? Model.$adapter.modelConstructorClient(Model, row.$options)
  return value.toFormat(client.dialect.dateTimeFormat)
}

/**
 * Lucid's `column` decorator, its date-time columns prepared by `prepareDateTime` (a model's own
 * `prepare` still wins). Every model of the platform and of the plugins (through the SDK) uses it.
 */
export const column: typeof lucidColumn = Object.assign(
  (options?: Parameters<typeof lucidColumn>[0]) => lucidColumn(options),
  {
    date: lucidColumn.date,
    dateTime: ((options) =>
      lucidColumn.dateTime({ prepare: prepareDateTime, ...options })) as typeof lucidColumn.dateTime,
  }
)
