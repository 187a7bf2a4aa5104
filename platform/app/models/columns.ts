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
