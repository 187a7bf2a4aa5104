import { test } from '@japa/runner'
import { createHmac, randomBytes } from 'node:crypto'
import { DataCipher, KEPT_CLEAR, normaliseFiscalCode } from '#services/infrastructure/data_cipher'

const key = () => randomBytes(32).toString('base64')

test.group('Data encrypted at rest (AES-256-GCM)', () => {
  test('round-trips values and never stores the plain text', ({ assert }) => {
    const cipher = new DataCipher(`k1:${key()}`)
    const value = { isee: '8123.45', disability_104: true, diet: 'celiachia' }
    const stored = cipher.encrypt(value)
    assert.isTrue(DataCipher.isEncrypted(stored))
    assert.notInclude(stored, '8123.45')
    assert.notInclude(stored, 'celiachia')
    assert.deepEqual(cipher.decrypt(stored), value)
    assert.notEqual(cipher.encrypt(value), stored, 'a fresh IV each time')
  })

  test('a tampered value is refused', ({ assert }) => {
    const cipher = new DataCipher(`k1:${key()}`)
    const parts = cipher.encrypt('segreto').split(':')
    const body = Buffer.from(parts[5], 'base64')
    body[0] ^= 1
    parts[5] = body.toString('base64')
    assert.throws(() => cipher.decrypt(parts.join(':')))
  })

  test('rotation: the new key encrypts, the old one still decrypts', ({ assert }) => {
    const oldKey = key()
    const before = new DataCipher(`old:${oldKey}`)
    const stored = before.encrypt({ isee: '1000.00' })
    const after = new DataCipher(`new:${key()},old:${oldKey}`)
    assert.deepEqual(after.decrypt(stored), { isee: '1000.00' })
    assert.isTrue(after.needsRotation(stored))
    assert.isFalse(after.needsRotation(after.encrypt(1)))
    assert.throws(() => new DataCipher(`new:${key()}`).decrypt(stored), /key "old"/)
  })

  test('an identifier read again is decrypted once; objects, other rings and tampered values are not kept', ({
    assert,
  }) => {
    const cipher = new DataCipher(`k1:${key()}`)
    let decrypted = 0
    const decrypt = cipher.decrypt.bind(cipher)
    cipher.decrypt = (stored: string) => {
      decrypted++
      return decrypt(stored)
    }
    const name = cipher.encrypt('Maria Rossi')
    const none = cipher.encrypt(null)
    for (let i = 0; i < 3; i++) {
      assert.equal(cipher.decryptKept(name), 'Maria Rossi')
      assert.isNull(cipher.decryptKept(none))
    }
    assert.equal(decrypted, 2)
    // An object is decrypted at each read, and no two readers share it.
    const warnings = cipher.encrypt([{ rule: 'duplicate' }])
    const first = cipher.decryptKept(warnings) as Array<{ rule: string }>
    first[0].rule = 'changed by its reader'
    assert.deepEqual(cipher.decryptKept(warnings), [{ rule: 'duplicate' }])
    assert.equal(decrypted, 4)
    // Another ring with the same key id and another key keeps nothing of this one's.
    assert.throws(() => new DataCipher(`k1:${key()}`).decryptKept(name))
    const parts = name.split(':')
    parts[4] = Buffer.alloc(16).toString('base64')
    assert.throws(() => cipher.decryptKept(parts.join(':')))
    // Bounded: past KEPT_CLEAR values the oldest is decrypted again.
    for (let i = 0; i < KEPT_CLEAR; i++) cipher.decryptKept(cipher.encrypt(`n${i}`))
    decrypted = 0
    assert.equal(cipher.decryptKept(name), 'Maria Rossi')
    assert.equal(decrypted, 1)
  })

  test('a malformed key specification is named', ({ assert }) => {
    assert.throws(() => new DataCipher('k1:c2hvcnQ='), /entry "k1" must be "id:<32 bytes in base64>"/)
    assert.throws(() => new DataCipher(''), /holds no key/)
  })
})

test.group('Blind indexes (keyed hashes for look-ups)', () => {
  test('equal for the same normalised value under one key, never the value itself', ({ assert }) => {
    const cipher = new DataCipher(`k1:${key()}`)
    const index = cipher.blindIndex('fiscal_code', 'RSSMRA85T10A562S')
    assert.equal(index, cipher.blindIndex('fiscal_code', 'RSSMRA85T10A562S'))
    assert.match(index, /^k1:[A-Za-z0-9_-]{43}$/)
    assert.notInclude(index, 'RSSMRA')
    assert.notEqual(index, cipher.blindIndex('fiscal_code', 'RSSMRA85T10A562T'))
    assert.notEqual(index, cipher.blindIndex('other_purpose', 'RSSMRA85T10A562S'))
    assert.equal(normaliseFiscalCode(' rssmra85t10 a562s '), 'RSSMRA85T10A562S')
  })

  test('keyed: another ring gives another index; a ring matches under each of its keys', ({ assert }) => {
    const oldKey = key()
    const before = new DataCipher(`old:${oldKey}`)
    const after = new DataCipher(`new:${key()},old:${oldKey}`)
    const stored = before.blindIndex('fiscal_code', 'RSSMRA85T10A562S')
    assert.notEqual(after.blindIndex('fiscal_code', 'RSSMRA85T10A562S'), stored)
    const all = after.blindIndexes('fiscal_code', 'RSSMRA85T10A562S')
    assert.lengthOf(all, 2)
    assert.equal(all[0], after.blindIndex('fiscal_code', 'RSSMRA85T10A562S'))
    assert.include(all, stored)
    assert.isTrue(after.blindIndexNeedsRotation(stored))
    assert.isFalse(after.blindIndexNeedsRotation(all[0]))
  })

  test('the index key is derived, not the data key itself', ({ assert }) => {
    const raw = randomBytes(32)
    const cipher = new DataCipher(`k1:${raw.toString('base64')}`)
    const plainHmac = createHmac('sha256', raw).update('fiscal_code\u0000RSSMRA85T10A562S').digest('base64url')
    assert.notEqual(cipher.blindIndex('fiscal_code', 'RSSMRA85T10A562S'), `k1:${plainHmac}`)
  })

  test('key ids are checked: letters, digits and _.- only, each once', ({ assert }) => {
    assert.throws(() => new DataCipher(`bad id:${key()}`), /key id "bad id"/)
    assert.throws(() => new DataCipher(`k1:${key()},k1:${key()}`), /appears twice/)
  })
})

test.group('Files encrypted at rest', () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(100_000), Buffer.from('\n%%EOF\n')])

  test('round-trip, a header that says so, and no plain bytes left', ({ assert }) => {
    const cipher = new DataCipher(`k1:${key()}`)
    const stored = cipher.encryptFile(pdf, 'attachments:1:abc')
    assert.isTrue(DataCipher.isEncryptedFile(stored))
    assert.equal(DataCipher.fileKeyId(stored), 'k1')
    assert.equal(stored.subarray(0, 8).toString('latin1'), 'SPTLENC1')
    assert.equal(stored.indexOf(pdf.subarray(20, 60)), -1)
    assert.isTrue(cipher.decryptFile(stored, 'attachments:1:abc').equals(pdf))
    assert.isFalse(cipher.fileNeedsRotation(stored))
  })

  test('a plain file (stored before encryption) is read as it is and needs rotation', ({ assert }) => {
    const cipher = new DataCipher(`k1:${key()}`)
    assert.isFalse(DataCipher.isEncryptedFile(pdf))
    assert.isNull(DataCipher.fileKeyId(pdf))
    assert.strictEqual(cipher.decryptFile(pdf, 'attachments:1:abc'), pdf)
    assert.isTrue(cipher.fileNeedsRotation(pdf))
  })

  test('tampered bytes, another context or a truncated file are refused', ({ assert }) => {
    const cipher = new DataCipher(`k1:${key()}`)
    const stored = cipher.encryptFile(pdf, 'attachments:1:abc')
    const flipped = Buffer.from(stored)
    flipped[stored.length - 100] ^= 1
    assert.throws(() => cipher.decryptFile(flipped, 'attachments:1:abc'))
    assert.throws(() => cipher.decryptFile(stored, 'attachments:2:abc'))
    assert.throws(() => cipher.decryptFile(stored.subarray(0, 20), 'attachments:1:abc'), /truncated/)
  })

  test('rotation: an old key still decrypts; the file then needs rotation', ({ assert }) => {
    const oldKey = key()
    const stored = new DataCipher(`old:${oldKey}`).encryptFile(pdf, 'ctx')
    const ring = new DataCipher(`new:${key()},old:${oldKey}`)
    assert.isTrue(ring.decryptFile(stored, 'ctx').equals(pdf))
    assert.isTrue(ring.fileNeedsRotation(stored))
    assert.throws(() => new DataCipher(`new:${key()}`).decryptFile(stored, 'ctx'), /key "old"/)
  })
})
