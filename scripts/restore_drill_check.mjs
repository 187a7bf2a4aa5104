/*
 * The API side of scripts/restore-drill.sh.
 *   node scripts/restore_drill_check.mjs write <base URL> <facts.json>
 *     sends a canteen enrolment with an uploaded document, waits for its protocol number and
 *     writes what must survive the restore (ids, protocol number, the document's SHA-256).
 *   node scripts/restore_drill_check.mjs verify <base URL> <facts.json>
 *     reads them back from the application running on the restored database and store, and
 *     compares the row count of every table of the two databases (DRILL_SOURCE_DB, PG_DB_NAME).
 * Exits non-zero with a message on a difference.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import pg from 'pg'
import { identityPdf, refezioneSample, REFEZIONE_FORM, SportelloSession, until } from './lib/sportello_client.mjs'

const [mode, base, factsFile] = process.argv.slice(2)
const TENANT = 'piacenza'
const CITIZEN = 'cittadino@piacenza.demo'
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')
const say = (message) => process.stdout.write(`drill: ${message}\n`)

const session = await new SportelloSession(base).login(CITIZEN)
const submissionOf = async (id) => {
  const body = await session.get(`/api/v1/t/${TENANT}/submissions/${id}`)
  return body.submission ?? body
}

if (mode === 'write') {
  const document = identityPdf(`restore drill ${Date.now()}`)
  const data = await refezioneSample()
  data.identity_document = await session.upload(TENANT, REFEZIONE_FORM, '/identity_document', 'ci-drill.pdf', document)
  const sent = await session.submit(TENANT, REFEZIONE_FORM, data)
  const protocolled = await until('the protocol number', async () => {
    const submission = await submissionOf(sent.id)
    return submission.status === 'protocolled' && submission
  })
  const facts = {
    submissionId: sent.id,
    protocolNumber: protocolled.protocolNumber,
    fileId: data.identity_document.file_id,
    sha256: sha256(document),
    payerFiscalCode: data.payer.fiscal_code,
  }
  await writeFile(factsFile, JSON.stringify(facts, null, 2))
  say(`submission ${facts.submissionId} protocolled ${facts.protocolNumber}, document ${facts.fileId}`)
} else if (mode === 'verify') {
  const facts = JSON.parse(await readFile(factsFile, 'utf8'))
  const failures = []
  const submission = await submissionOf(facts.submissionId)
  if (submission.status !== 'protocolled') failures.push(`submission status is ${submission.status}, not protocolled`)
  if (submission.protocolNumber !== facts.protocolNumber)
    failures.push(`protocol number ${submission.protocolNumber}, expected ${facts.protocolNumber}`)
  // The data is encrypted at rest: reading it back proves the key and the rows restored together.
  if (submission.data?.payer?.fiscal_code !== facts.payerFiscalCode)
    failures.push('the submission data did not decrypt')
  const file = await session.request('GET', `/api/v1/t/${TENANT}/attachments/${facts.fileId}`)
  if (sha256(file.body) !== facts.sha256) failures.push(`attachment ${facts.fileId} differs from what was uploaded`)
  say(`read back submission ${facts.submissionId} (${submission.protocolNumber}) and attachment ${facts.fileId}`)

  const counts = async (database) => {
    const client = new pg.Client({
      host: process.env.PG_HOST,
      port: Number(process.env.PG_PORT),
      user: process.env.PG_USER,
      password: process.env.PG_PASSWORD,
      database,
    })
    await client.connect()
    const { rows } = await client.query(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1"
    )
    const result = {}
    for (const { table_name: table } of rows) {
      result[table] = (await client.query(`select count(*)::int as n from "${table}"`)).rows[0].n
    }
    await client.end()
    return result
  }
  const [source, restored] = await Promise.all([counts(process.env.DRILL_SOURCE_DB), counts(process.env.PG_DB_NAME)])
  // Logins made by this check (sessions) and their throttling counters change with every read: not data.
  const volatile = new Set(['sessions', 'rate_limits'])
  for (const table of new Set([...Object.keys(source), ...Object.keys(restored)])) {
    if (volatile.has(table)) continue
    if (source[table] !== restored[table])
      failures.push(`table ${table}: ${source[table]} rows before, ${restored[table]} after`)
  }
  say(`row counts equal in ${Object.keys(source).length} tables: ${JSON.stringify(restored)}`)
  if (failures.length) {
    process.stderr.write(`drill: FAILED\n  ${failures.join('\n  ')}\n`)
    process.exit(1)
  }
} else {
  process.stderr.write('usage: restore_drill_check.mjs write|verify <base URL> <facts.json>\n')
  process.exit(2)
}
