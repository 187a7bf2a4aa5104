/**
 * What encryption at rest costs on the paths that use it: a personal identifier (encrypt,
 * decrypt), the blind index of a codice fiscale, a whole refezione submission's data, the columns
 * and the audit snapshot an acceptance writes for one enrolment, a page of 50 enrolments read back,
 * and an uploaded file at the 20 MB limit. CPU time per operation, best of 5 runs. The key ring is
 * built once (keys and derived index keys prepared there), as at boot.
 *
 * Run with `npm run bench` from the repository root (after the rules engine's benchmark).
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { DataCipher, normaliseFiscalCode } from '../app/services/infrastructure/data_cipher.js'

const ring = new DataCipher(`k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`)
const sample = JSON.parse(
  readFileSync(new URL('../../forms/refezione/refezione.iscrizione.json', import.meta.url), 'utf8')
).sample as Record<string, unknown>

function cpuMicros(fn: () => void, iterations: number) {
  let best = Number.POSITIVE_INFINITY
  for (let run = 0; run < 5; run++) {
    const start = process.cpuUsage()
    for (let i = 0; i < iterations; i++) fn()
    const used = process.cpuUsage(start)
    best = Math.min(best, (used.user + used.system) / iterations)
  }
  return best
}

const format = (micros: number) => (micros >= 1000 ? `${(micros / 1000).toFixed(2)} ms` : `${micros.toFixed(1)} µs`)
const rows: Array<[string, number]> = []
const measure = (label: string, fn: () => void, iterations: number) => rows.push([label, cpuMicros(fn, iterations)])

const name = ring.encrypt('Giulia')
measure('identifier: encrypt', () => ring.encrypt('Giulia'), 20_000)
measure('identifier: decrypt', () => ring.decrypt(name), 20_000)
measure(
  'codice fiscale: blind index',
  () => ring.blindIndex('fiscal_code', normaliseFiscalCode('RSSGLI17C44G535M')),
  20_000
)
measure('codice fiscale: look-up indexes (2 keys)', () => ring.blindIndexes('fiscal_code', 'RSSGLI17C44G535M'), 20_000)
const data = ring.encrypt(sample)
measure(`submission data (${JSON.stringify(sample).length} B JSON): encrypt`, () => ring.encrypt(sample), 5_000)
measure('submission data: decrypt', () => ring.decrypt(data), 5_000)

// An acceptance: 5 identifier columns and 6 special-category columns of the enrolment, the blind
// index, and the audit snapshot's 5 identifiers encrypted again.
const enrolment = {
  identifiers: ['Giulia', 'Rossi', 'RSSGLI17C44G535M', '2017-03-04', { transport_stop: 'Via Roma 1' }],
  special: [
    { presented: true, value: '5000.00', inpsProtocol: 'INPS-ISEE-2026-00123456A-00', kind: 'ordinario' },
    { requested: true, type: 'vegetarian', authorised: null },
    { amount: '3.43', band: 'ridotta' },
    { residence: 'piacenza', isee: '5000.00', children_in_paid_services: 1 },
    Array.from({ length: 6 }, (_, i) => ({ step: `s${i}`, kind: 'table', message: 'Fascia ridotta', value: '3.43' })),
  ],
}
measure(
  'acceptance: one enrolment row + its audit snapshot',
  () => {
    for (const value of enrolment.identifiers) ring.encrypt(value)
    for (const value of enrolment.special) ring.encrypt(value)
    ring.blindIndex('fiscal_code', 'RSSGLI17C44G535M')
    for (const value of enrolment.identifiers) ring.encrypt(value)
  },
  2_000
)
const page = Array.from({ length: 50 }, () => enrolment.identifiers.slice(0, 4).map((v) => ring.encrypt(v)))
measure(
  'list: a page of 50 enrolments (4 identifiers each) decrypted',
  () => {
    for (const row of page) for (const value of row) ring.decrypt(value)
  },
  200
)
const file = randomBytes(20 * 1024 * 1024)
const stored = ring.encryptFile(file, 'attachments:1:bench')
measure('upload at the 20 MB limit: encrypt', () => ring.encryptFile(file, 'attachments:1:bench'), 3)
measure('download at the 20 MB limit: decrypt', () => ring.decryptFile(stored, 'attachments:1:bench'), 3)
measure(
  'key ring built at boot, per key (with its HKDF index key)',
  () => new DataCipher(`k1:${randomBytes(32).toString('base64')}`),
  2_000
)

const width = Math.max(...rows.map(([label]) => label.length))
console.log('Encryption at rest, CPU time per operation (best of 5):')
for (const [label, micros] of rows) console.log(`  ${label.padEnd(width)}  ${format(micros)}`)
