import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { DataCipher } from '#services/data_cipher'

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

  test('a malformed key specification is named', ({ assert }) => {
    assert.throws(() => new DataCipher('k1:c2hvcnQ='), /entry "k1" must be "id:<32 bytes in base64>"/)
    assert.throws(() => new DataCipher(''), /holds no key/)
  })
})
