import { DataCipher, currentDataCipher } from '#services/data_cipher'

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

/** Encrypted at rest (AES-256-GCM); the audit log records only that such a column changed. */
export const encryptedColumn = {
  meta: { sensitive: true },
  prepare: (value: unknown) => (value === undefined || value === null ? null : currentDataCipher().encrypt(value)),
  consume: (value: unknown) => (DataCipher.isEncrypted(value) ? currentDataCipher().decrypt(value) : value),
}
