import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import Submission from '#models/submission'
import { jobQueue } from '#queue/queue_factory'
import { encryptedColumns, exportTenant, isEncryptedMeta, TenantExportError } from '#services/tenants/tenant_export'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM, refezioneTenant } from '../forms/world.js'
import { makeTenant, transactionWithJobs } from '../../helpers/world.js'
import { PLATFORM_ROOT } from '#tests/helpers/processes'

const run = promisify(execFile)
const TMP = join(PLATFORM_ROOT, 'tmp', 'export-tests')
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** A CSV file as rows of fields (the export's own, RFC 4180; enough for the tests' values). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else if (c !== '\r') field += c
  }
  return rows
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await filesUnder(path)))
    else found.push(path)
  }
  return found
}

/** Two comuni, each with a citizen who sent a canteen enrolment with an uploaded document. */
async function twoTenants(client: any) {
  const made = []
  for (const _ of [1, 2]) {
    const world = await refezioneTenant()
    const sent = await client
      .post(`${world.base}/forms/${FORM}/submit`)
      .json({ data: world.sample })
      .loginAs(world.citizen)
    sent.assertStatus(201)
    // The sample as sent: its payer and the reference of the document really uploaded.
    const sample = world.sample as {
      payer: { fiscal_code: string }
      identity_document: { file_id: string; sha256: string }
    }
    made.push({ ...world, sample, submissionId: sent.body().submission.id as number })
  }
  await jobQueue().drained()
  return made
}

test.group('tenant:export', (group) => {
  let out = ''
  group.each.setup(async () => {
    out = join(TMP, randomUUID())
    return transactionWithJobs()
  })
  group.each.teardown(() => rm(out, { recursive: true, force: true }))

  test('exports one tenant and nothing of another', async ({ client, assert }) => {
    const [a, b] = await twoTenants(client)
    const result = await RequestContext.asSystem('test', () => exportTenant({ tenant: a.tenant.slug, out }))

    assert.deepEqual(result.undescribed, [], 'describe these in app/services/tenants/tenant_export_dictionary.ts')
    const csv = async (table: string) => parseCsv(await readFile(join(out, 'csv', `${table}.csv`), 'utf8'))

    const tenants = await csv('tenants')
    assert.lengthOf(tenants, 2)
    assert.equal(tenants[1][0], String(a.tenant.id))
    // Every row of every table that has tenant_id is the exported tenant's.
    for (const { table, rows } of result.tables) {
      const [header, ...body] = await csv(table)
      assert.lengthOf(body, rows, table)
      const at = header.indexOf('tenant_id')
      if (at >= 0)
        for (const row of body) assert.equal(row[at], String(a.tenant.id), `${table} holds another tenant's row`)
    }
    const submissions = await csv('submissions')
    assert.deepEqual(
      submissions.slice(1).map((row) => row[0]),
      [String(a.submissionId)]
    )
    const users = (await csv('users')).slice(1).map((row) => row[1])
    assert.includeMembers(users, [a.citizen.email, a.operator.email])
    assert.notInclude(users, b.citizen.email)
    assert.notInclude((await csv('users'))[0], 'password')

    // Nothing anywhere in the export names the other tenant, its people or its files.
    const bFile = b.sample.identity_document.file_id
    const aFile = a.sample.identity_document.file_id
    for (const file of await filesUnder(out)) {
      const text = await readFile(file, 'latin1')
      for (const marker of [b.tenant.slug, b.citizen.email, b.otherCitizen.email, b.operator.email, bFile]) {
        assert.notInclude(text, marker, `${file} names the other tenant (${marker})`)
      }
    }
    assert.deepEqual(await readdir(join(out, 'attachments')), [aFile])
    const stored = await readFile(join(out, 'attachments', aFile))
    assert.notEqual(sha256(stored), a.sample.identity_document.sha256, 'documents stay encrypted in the export')
    assert.deepEqual(result.attachments, { files: 1, bytes: stored.length, missing: [] })
    const document = await run(
      process.execPath,
      [join(out, 'decrypt.mjs'), '--document', join(out, 'attachments', aFile), String(a.tenant.id)],
      { env: { PATH: process.env.PATH, DATA_ENCRYPTION_KEYS: process.env.DATA_ENCRYPTION_KEYS }, encoding: 'buffer' }
    )
    assert.equal(sha256(document.stdout), a.sample.identity_document.sha256)
  }).timeout(120000)

  test('names the encrypted columns from the models, and its helper decrypts them with the keys', async ({
    client,
    assert,
  }) => {
    const [a] = await twoTenants(client)
    await RequestContext.asSystem('test', () => exportTenant({ tenant: a.tenant.slug, out }))
    const dictionary = JSON.parse(await readFile(join(out, 'dictionary.json'), 'utf8'))
    const flagged = dictionary.tables.flatMap((t: any) =>
      t.columns.filter((c: any) => c.encrypted).map((c: any) => `${t.table}.${c.name}`)
    )
    // Read from the column metadata: the Submission model's `data` is one, whatever else is added.
    assert.isTrue(isEncryptedMeta(Submission.$getColumn('data')?.meta))
    assert.isFalse(isEncryptedMeta(Submission.$getColumn('status')?.meta))
    assert.isTrue(isEncryptedMeta({ encrypted: 'identifier' }))
    assert.include(flagged, 'submissions.data')
    assert.sameMembers(
      flagged,
      [...(await encryptedColumns())].filter((name) =>
        dictionary.tables.some((t: any) => t.table === name.split('.')[0])
      )
    )
    const readme = await readFile(join(out, 'README.md'), 'utf8')
    for (const name of flagged) assert.include(readme, `\`${name}\``)
    assert.include(readme, 'AES-256-GCM')

    const raw = await readFile(join(out, 'csv', 'submissions.csv'), 'utf8')
    assert.notInclude(raw, a.sample.payer.fiscal_code, 'encrypted at rest, and in the export')
    const decrypted = await run(process.execPath, [join(out, 'decrypt.mjs'), join(out, 'csv', 'submissions.csv')], {
      env: { PATH: process.env.PATH, DATA_ENCRYPTION_KEYS: process.env.DATA_ENCRYPTION_KEYS },
    })
    const rows = parseCsv(decrypted.stdout)
    const data = JSON.parse(rows[1][rows[0].indexOf('data')])
    assert.equal(data.payer.fiscal_code, a.sample.payer.fiscal_code)
    assert.equal(data.identity_document.file_id, a.sample.identity_document.file_id)
  }).timeout(120000)

  test('refuses an unknown tenant, a folder in use and a table it cannot split by tenant', async ({ assert }) => {
    const tenant = await makeTenant()
    await assert.rejects(
      () => RequestContext.asSystem('test', () => exportTenant({ tenant: 'no-such-comune', out })),
      TenantExportError
    )
    await mkdir(out, { recursive: true })
    await writeFile(join(out, 'something.txt'), 'x')
    await assert.rejects(
      () => RequestContext.asSystem('test', () => exportTenant({ tenant: tenant.slug, out })),
      /is not empty/
    )
    await rm(out, { recursive: true })
    await db.rawQuery('create table stray_notes (id integer primary key, note text)')
    await assert.rejects(
      () => RequestContext.asSystem('test', () => exportTenant({ tenant: tenant.slug, out })),
      /Table stray_notes has no tenant_id column/
    )
  })

  if (process.env.DB_CONNECTION === 'pg') {
    test('tenant.sql loads into an empty PostgreSQL schema with every row', async ({ client, assert }) => {
      const [a] = await twoTenants(client)
      const result = await RequestContext.asSystem('test', () => exportTenant({ tenant: a.tenant.slug, out }))
      const script = await readFile(join(out, 'tenant.sql'), 'utf8')
      const schema = `export_check_${process.pid}`
      await db.rawQuery(`create schema ${schema}`)
      await db.rawQuery(`set local search_path to ${schema}`)
      await db.rawQuery(script)
      await db.rawQuery('set local search_path to public')
      for (const { table, rows } of result.tables) {
        const counted = await db.rawQuery(`select count(*)::int as n from ${schema}."${table}"`)
        assert.equal(counted.rows[0].n, rows, table)
      }
      const loaded = await db.rawQuery(`select data from ${schema}.submissions where id = ?`, [a.submissionId])
      const original = await db.from('submissions').where('id', a.submissionId).first()
      assert.equal(loaded.rows[0].data, original.data)
      // The identity sequence continues after the loaded rows.
      const next = await db.rawQuery(`select nextval(pg_get_serial_sequence('${schema}.submissions', 'id')) as id`)
      assert.isAbove(Number(next.rows[0].id), a.submissionId)
    }).timeout(120000)
  }
})

test.group('tenant:export command', () => {
  test('answers an unknown tenant with exit code 2 and the reason as JSON', async ({ assert }) => {
    const failed = await run(
      process.execPath,
      ['ace.js', 'tenant:export', '--tenant=no-such-comune', `--out=${join(TMP, randomUUID())}`],
      { cwd: PLATFORM_ROOT, env: process.env }
    ).then(
      () => null,
      (error: { code: number; stderr: string }) => error
    )
    assert.equal(failed?.code, 2)
    assert.deepEqual(JSON.parse(failed!.stderr.trim().split('\n').at(-1)!), {
      error: 'No tenant "no-such-comune": give the slug of an existing tenant',
    })
  }).timeout(60000)
})
