import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * AES-256-GCM for data kept encrypted at rest (health, disability, foster care,
 * ISEE). Keys come from DATA_ENCRYPTION_KEYS as "id:base64key" pairs; the first
 * one encrypts, all of them decrypt, so a key is rotated by putting a new one
 * first and re-encrypting (`node ace.js data:reencrypt`).
 * Stored form: `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64 parts).
 */
export class DataCipher {
  #keys = new Map<string, Buffer>()
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
      this.#keys.set(id, key)
    }
    this.#currentId = pairs[0].split(':')[0]
  }

  get currentKeyId() {
    return this.#currentId
  }

  static isEncrypted(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith('enc:v1:')
  }

  encrypt(plain: unknown): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.#currentId)!, iv)
    const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()])
    const tag = cipher.getAuthTag()
    return ['enc', 'v1', this.#currentId, iv.toString('base64'), tag.toString('base64'), body.toString('base64')].join(
      ':'
    )
  }

  decrypt(stored: string): unknown {
    const [, , keyId, iv, tag, body] = stored.split(':')
    const key = this.#keys.get(keyId)
    if (!key) throw new Error(`Encrypted value uses key "${keyId}", which is not in DATA_ENCRYPTION_KEYS`)
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'))
    decipher.setAuthTag(Buffer.from(tag, 'base64'))
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()])
    return JSON.parse(plain.toString('utf8'))
  }

  /** True when the value was encrypted with a key other than the current one. */
  needsRotation(stored: string) {
    return stored.split(':')[2] !== this.#currentId
  }
}

let cipher: DataCipher | undefined

export function setDataCipher(next: DataCipher) {
  cipher = next
}

export function currentDataCipher(): DataCipher {
  if (!cipher) throw new Error('Data cipher used before boot: the Sportello provider creates it')
  return cipher
}
