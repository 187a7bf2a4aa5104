import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

/**
 * AES-256-GCM for data kept encrypted at rest: special categories (health,
 * disability, foster care), ISEE, and personal identifiers (names, codici
 * fiscali, birth dates, uploaded documents). Keys come from
 * DATA_ENCRYPTION_KEYS as "id:base64key" pairs; the first one encrypts, all of
 * them decrypt, so a key is rotated by putting a new one first and running
 * `node ace.js data:reencrypt` (data_reencryption.ts), which rewrites every
 * value and file with it.
 *
 * Stored forms:
 * - a column value: `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64 parts, the plain value as JSON);
 * - a file: `SPTLENC1`, one byte with the key id's length, the key id, a 12-byte IV, the
 *   ciphertext, the 16-byte tag; the header and a context naming the file are authenticated, so a
 *   file moved under another name or tenant does not decrypt. Uploads are at most 20 MB and are
 *   read whole anyway, so a file is one GCM message; the magic's version leaves room for a
 *   chunked format should larger files come. Plain files (before encryption) never start with
 *   the magic: uploads are PDF, PNG or JPEG by content.
 * - a blind index: `<keyId>:<HMAC-SHA256, base64url>` of a normalised value (e.g. a codice
 *   fiscale), for look-ups and uniqueness without decrypting. Its key is derived from the data key
 *   of the same id (HKDF-SHA256, its own label), so it rotates with the ring: after a rotation the
 *   look-ups compute the index under every key of the ring until `data:reencrypt` has recomputed
 *   them all under the new one.
 *
 * Keys and derived keys are prepared once, when the ring is built at boot: encrypting costs one
 * AES-GCM pass and an index one HMAC, with no key derivation per request.
 */
const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/
const VALUE_PREFIX = 'enc:v1:'
const FILE_MAGIC = Buffer.from('SPTLENC1', 'latin1')
const IV_BYTES = 12
const TAG_BYTES = 16
const INDEX_LABEL = 'sportello blind index v1'

/** How many decrypted plain values a ring keeps (decryptKept). */
export const KEPT_CLEAR = 2000

export class DataCipher {
  #keys = new Map<string, Buffer>()
  #clear = new Map<string, unknown>()
  #indexKeys = new Map<string, Buffer>()
  #currentId: string

  constructor(spec: string) {
    const pairs = spec
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
    if (pairs.length === 0) throw new Error('DATA_ENCRYPTION_KEYS holds no key')
    for (const pair of pairs) {
      const [id, b64] = pair.split(':')
      const key = Buffer.from(b64 ?? '', 'base64')
      if (!id || key.length !== 32) {
        throw new Error(
          `DATA_ENCRYPTION_KEYS: entry "${id ?? ''}" must be "id:<32 bytes in base64>" (got ${key.length} bytes)`
        )
      }
      if (!KEY_ID.test(id)) {
        throw new Error(`DATA_ENCRYPTION_KEYS: key id "${id}" must be 1-32 letters, digits, "_", "." or "-"`)
      }
      if (this.#keys.has(id)) throw new Error(`DATA_ENCRYPTION_KEYS: key id "${id}" appears twice`)
      this.#keys.set(id, key)
      this.#indexKeys.set(id, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), INDEX_LABEL, 32)))
    }
    this.#currentId = pairs[0].split(':')[0]
  }

  get currentKeyId() {
    return this.#currentId
  }

  /** Every key id of the ring, the current one first. */
  get keyIds() {
    return [...this.#keys.keys()]
  }

  static isEncrypted(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(VALUE_PREFIX)
  }

  /** The key id of a stored value, or null when the value is not encrypted. */
  static keyIdOf(value: unknown): string | null {
    if (!DataCipher.isEncrypted(value)) return null
    const end = value.indexOf(':', VALUE_PREFIX.length)
    return end < 0 ? null : value.slice(VALUE_PREFIX.length, end)
  }

  encrypt(plain: unknown): string {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.#currentId)!, iv)
    const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()])
    const tag = cipher.getAuthTag()
    return ['enc', 'v1', this.#currentId, iv.toString('base64'), tag.toString('base64'), body.toString('base64')].join(
      ':'
    )
  }

  decrypt(stored: string): unknown {
    const [, , keyId, iv, tag, body] = stored.split(':')
    const decipher = createDecipheriv('aes-256-gcm', this.#key(keyId), Buffer.from(iv, 'base64'))
    decipher.setAuthTag(Buffer.from(tag, 'base64'))
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()])
    return JSON.parse(plain.toString('utf8'))
  }

  /**
   * `decrypt`, for a personal identifier read again and again (a user's name and codice fiscale,
   * read with the user at every request; never special categories or ISEE): a value that decrypts to text, a number, a boolean or null is kept by
   * its stored form, which no other value shares (each encryption draws a new IV, and the tag binds
   * the text to it). Objects are decrypted each time, so no caller shares one with another. At most
   * KEPT_CLEAR values, the oldest dropped first; kept by this ring only, in this process's memory,
   * where the decrypted row is anyway while it is in use.
   */
  decryptKept(stored: string): unknown {
    const kept = this.#clear.get(stored)
    if (kept !== undefined) return kept
    const value = this.decrypt(stored)
    if (value === null || typeof value !== 'object') {
      if (this.#clear.size >= KEPT_CLEAR) this.#clear.delete(this.#clear.keys().next().value!)
      this.#clear.set(stored, value)
    }
    return value
  }

  /**
   * A JSON column's value as read by a plain query (no model): decrypted when it is encrypted,
   * parsed when it is text (a row written before encryption, on SQLite), as it is otherwise.
   */
  clearJson(stored: unknown): unknown {
    if (DataCipher.isEncrypted(stored)) return this.decrypt(stored)
    return typeof stored === 'string' ? JSON.parse(stored) : stored
  }

  /** True when the value is not encrypted, or was encrypted with a key other than the current one. */
  needsRotation(stored: unknown) {
    return DataCipher.keyIdOf(stored) !== this.#currentId
  }

  /** The prefix every value encrypted with the current key starts with (for SQL filters). */
  get currentValuePrefix() {
    return `${VALUE_PREFIX}${this.#currentId}:`
  }

  /** The keyed hash of `value` under the current key, stored beside the encrypted value. */
  blindIndex(purpose: string, value: string): string {
    return this.#index(this.#currentId, purpose, value)
  }

  /** The keyed hash under every key of the ring: what a look-up matches while a rotation is under way. */
  blindIndexes(purpose: string, value: string): string[] {
    return this.keyIds.map((id) => this.#index(id, purpose, value))
  }

  blindIndexNeedsRotation(stored: string) {
    return !stored.startsWith(`${this.#currentId}:`)
  }

  static isEncryptedFile(bytes: Buffer) {
    return bytes.length >= FILE_MAGIC.length && bytes.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)
  }

  /** The key id of a stored file, or null for a plain one. */
  static fileKeyId(bytes: Buffer): string | null {
    if (!DataCipher.isEncryptedFile(bytes)) return null
    const length = bytes[FILE_MAGIC.length]
    return bytes.subarray(FILE_MAGIC.length + 1, FILE_MAGIC.length + 1 + length).toString('latin1')
  }

  fileNeedsRotation(bytes: Buffer) {
    return DataCipher.fileKeyId(bytes) !== this.#currentId
  }

  /** Encrypts a file's bytes; `context` (e.g. tenant and file id) must be given again to decrypt. */
  encryptFile(plain: Buffer, context: string): Buffer {
    const id = Buffer.from(this.#currentId, 'latin1')
    const header = Buffer.concat([FILE_MAGIC, Buffer.from([id.length]), id, randomBytes(IV_BYTES)])
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.#currentId)!, header.subarray(-IV_BYTES))
    cipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]))
    return Buffer.concat([header, cipher.update(plain), cipher.final(), cipher.getAuthTag()])
  }

  /** The plain bytes of a stored file: decrypted when it carries the header, as they are otherwise. */
  decryptFile(stored: Buffer, context: string): Buffer {
    const keyId = DataCipher.fileKeyId(stored)
    if (keyId === null) return stored
    const headerLength = FILE_MAGIC.length + 1 + Buffer.byteLength(keyId, 'latin1') + IV_BYTES
    if (stored.length < headerLength + TAG_BYTES) throw new Error('Encrypted file is truncated')
    const header = stored.subarray(0, headerLength)
    const decipher = createDecipheriv('aes-256-gcm', this.#key(keyId), header.subarray(-IV_BYTES))
    decipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]))
    decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES))
    return Buffer.concat([decipher.update(stored.subarray(headerLength, stored.length - TAG_BYTES)), decipher.final()])
  }

  #key(keyId: string) {
    const key = this.#keys.get(keyId)
    if (!key) throw new Error(`Encrypted data uses key "${keyId}", which is not in DATA_ENCRYPTION_KEYS`)
    return key
  }

  #index(keyId: string, purpose: string, value: string) {
    const mac = createHmac('sha256', this.#indexKeys.get(keyId)!).update(`${purpose}\u0000${value}`, 'utf8')
    return `${keyId}:${mac.digest('base64url')}`
  }
}

/** A codice fiscale as compared: without spaces, upper case. */
export function normaliseFiscalCode(value: string) {
  return value.replace(/\s+/g, '').toUpperCase()
}

/** The blind-index purpose of codici fiscali: one for users and children, so one person matches in both. */
export const FISCAL_CODE_INDEX = 'fiscal_code'

let cipher: DataCipher | undefined

export function setDataCipher(next: DataCipher) {
  cipher = next
}

export function currentDataCipher(): DataCipher {
  if (!cipher) throw new Error('Data cipher used before boot: the Sportello provider creates it')
  return cipher
}
