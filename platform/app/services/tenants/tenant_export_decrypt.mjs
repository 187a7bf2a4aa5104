#!/usr/bin/env node
/*
 * Decrypts the encrypted fields of an exported CSV file (copied into every tenant export as
 * decrypt.mjs; needs only Node.js 18 or later).
 *
 *   DATA_ENCRYPTION_KEYS='<key id>:<32-byte key in base64>[,...]' node decrypt.mjs csv/submissions.csv > submissions.csv
 *   DATA_ENCRYPTION_KEYS='…' node decrypt.mjs --document attachments/<file_id> <tenant id> > document.pdf
 *
 * A document file that starts with SPTLENC1 is AES-256-GCM over the whole file: after the magic
 * come one byte with the key id's length, the key id (latin1), the 12-byte IV, then the ciphertext
 * and the 16-byte tag; the additional data is the header followed by "attachments:<tenant id>:<file id>".
 * A document without that header was stored before files were encrypted and is copied as it is.
 *
 * Every field of the form enc:v1:<key id>:<iv>:<tag>:<ciphertext> (base64 parts) is AES-256-GCM
 * with a 12-byte IV and a 16-byte tag; the plaintext is JSON. It is written out as that JSON text
 * (a string value as itself). Other fields are copied unchanged; NULL (an empty unquoted field)
 * stays NULL. A value whose key is not given, or that does not authenticate, stops the run.
 */
import { createDecipheriv } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

const args = process.argv.slice(2)
const documentMode = args[0] === '--document'
const [file, tenantId] = documentMode ? args.slice(1) : args
if (!file || (documentMode && !/^\d+$/.test(tenantId ?? '')) || !process.env.DATA_ENCRYPTION_KEYS) {
  process.stderr.write(
    'usage: DATA_ENCRYPTION_KEYS=<id>:<base64 key>[,...] node decrypt.mjs <file.csv>\n' +
      '       DATA_ENCRYPTION_KEYS=... node decrypt.mjs --document attachments/<file_id> <tenant id>\n'
  )
  process.exit(2)
}

const keys = new Map()
for (const pair of process.env.DATA_ENCRYPTION_KEYS.split(',')) {
  const [id, b64] = pair.trim().split(':')
  const key = Buffer.from(b64 ?? '', 'base64')
  if (!id || key.length !== 32) {
    process.stderr.write(`DATA_ENCRYPTION_KEYS: "${id}" must be <id>:<32 bytes in base64>\n`)
    process.exit(2)
  }
  keys.set(id, key)
}

function decrypt(value) {
  const [, , keyId, iv, tag, body] = value.split(':')
  const key = keys.get(keyId)
  if (!key) throw new Error(`a value is encrypted with key "${keyId}", which DATA_ENCRYPTION_KEYS does not hold`)
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'))
  decipher.setAuthTag(Buffer.from(tag, 'base64'))
  const json = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8')
  const plain = JSON.parse(json)
  return typeof plain === 'string' ? plain : json
}

/** RFC 4180 records; each field remembers whether it was quoted (an unquoted empty field is NULL). */
function* records(text) {
  let fields = []
  let field = ''
  let quoted = false
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '"' && field === '' && !quoted) {
      quoted = true
      i++
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"'
          i += 2
        } else if (text[i] === '"') {
          i++
          break
        } else field += text[i++]
      }
      continue
    }
    if (c === ',' || c === '\n' || c === '\r') {
      fields.push({ value: field, quoted })
      field = ''
      quoted = false
      if (c === '\r' && text[i + 1] === '\n') i++
      if (c !== ',') {
        yield fields
        fields = []
      }
      i++
      continue
    }
    field += c
    i++
  }
  if (field !== '' || quoted || fields.length) yield [...fields, { value: field, quoted }]
}

function csvField({ value, quoted }) {
  if (!quoted && value === '') return ''
  return value === '' || /[",\r\n]/.test(value) || value.trim() !== value ? `"${value.replaceAll('"', '""')}"` : value
}

function decryptDocument(stored, context) {
  const magic = Buffer.from('SPTLENC1', 'latin1')
  if (stored.length < magic.length || !stored.subarray(0, magic.length).equals(magic)) return stored
  const idLength = stored[magic.length]
  const keyId = stored.subarray(magic.length + 1, magic.length + 1 + idLength).toString('latin1')
  const headerLength = magic.length + 1 + idLength + 12
  const key = keys.get(keyId)
  if (!key) throw new Error(`the document is encrypted with key "${keyId}", which DATA_ENCRYPTION_KEYS does not hold`)
  const header = stored.subarray(0, headerLength)
  const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(-12))
  decipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]))
  decipher.setAuthTag(stored.subarray(stored.length - 16))
  return Buffer.concat([decipher.update(stored.subarray(headerLength, stored.length - 16)), decipher.final()])
}

if (documentMode) {
  const fileId = basename(file)
  process.stdout.write(decryptDocument(readFileSync(file), `attachments:${tenantId}:${fileId}`))
} else {
  for (const fields of records(readFileSync(file, 'utf8'))) {
    const out = fields.map((f) => (f.value.startsWith('enc:v1:') ? { value: decrypt(f.value), quoted: true } : f))
    process.stdout.write(out.map(csvField).join(',') + '\r\n')
  }
}
