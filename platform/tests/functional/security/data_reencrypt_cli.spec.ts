import { test } from '@japa/runner'
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import { ENCRYPTED_COLUMNS } from '#models/data_at_rest'
import { DataCipher } from '#services/infrastructure/data_cipher'
import { attachmentContext } from '#services/submissions/attachment_service'

/**
 * `data:reencrypt` and the migration as an operator runs them: separate processes on their own
 * SQLite file (they cannot see a test's transaction), migrated and seeded with the demo here.
 */
const platform = fileURLToPath(new URL('../../../', import.meta.url))
const DB_FILE = 'tmp/reencrypt-cli-test.sqlite3'
const CONNECTION = 'reencrypt_cli'
const devRing = process.env.DATA_ENCRYPTION_KEYS!
// The shipped plugins only: the fixtures' migrations would come after the platform's and change
// what a rollback by steps undoes.
const baseEnv = {
  ...process.env,
  DB_CONNECTION: 'sqlite',
  SQLITE_PATH: DB_FILE,
  PLUGINS_DIR: join(platform, '..', 'plugins'),
}
const run = promisify(execFile)

type Result = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

async function ace(args: string[], keys = devRing): Promise<Result> {
  return run('node', ['ace.js', ...args], { cwd: platform, env: { ...baseEnv, DATA_ENCRYPTION_KEYS: keys } }).then(
    ({ stdout, stderr }) => ({ code: 0, signal: null, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      signal: null,
      stdout: e.stdout,
      stderr: e.stderr,
    })
  )
}

/** Runs the command and sends `signal` once it has printed its first progress line. */
function interrupted(keys: string, signal: NodeJS.Signals): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['ace.js', 'data:reencrypt', '--batch-size=1'], {
      cwd: platform,
      env: { ...baseEnv, DATA_ENCRYPTION_KEYS: keys },
    })
    let stdout = ''
    let stderr = ''
    let sent = false
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      if (!sent && / done, \d+ rewritten/.test(stdout)) {
        sent = true
        child.kill(signal)
      }
    })
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, closedBy) => resolve({ code, signal: closedBy, stdout, stderr }))
  })
}

function cli() {
  return db.connection(CONNECTION)
}

/** Every encrypted value of the CLI database, by where it is: columns, and identifiers inside audit rows. */
async function values() {
  const out: Array<{ where: string; value: string }> = []
  for (const spec of ENCRYPTED_COLUMNS) {
    for (const row of await cli().from(spec.table).select(spec.column).whereNotNull(spec.column)) {
      out.push({ where: `${spec.table}.${spec.column}`, value: String(row[spec.column]) })
    }
  }
  for (const row of await cli().from('audit_logs').select('id', 'before', 'after')) {
    for (const match of `${row.before} ${row.after}`.matchAll(/"(enc:v1:[^"]+)"/g)) {
      out.push({ where: `audit_logs#${row.id}`, value: match[1] })
    }
  }
  return out
}

async function attachmentFiles() {
  const rows = await cli().from('attachments').select('tenant_id', 'file_id')
  return rows.map((r) => ({
    path: join(platform, 'storage', 'attachments', String(r.tenant_id), r.file_id),
    context: attachmentContext(Number(r.tenant_id), r.file_id),
  }))
}

test.group('data:reencrypt command', (group) => {
  // Its processes run on their own SQLite database whatever the suite runs on (see bin/test.ts).
  group.tap((t) => t.tags(['@embedded']))
  group.setup(async () => {
    await rm(join(platform, DB_FILE), { force: true })
    for (const step of [['migration:run', '--force'], ['demo:seed']]) {
      const result = await ace(step)
      if (result.code !== 0) throw new Error(`${step.join(' ')} failed: ${result.stderr}${result.stdout}`)
    }
    db.manager.add(CONNECTION, { client: 'better-sqlite3', connection: { filename: join(platform, DB_FILE) } })
    return async () => {
      for (const file of await attachmentFiles()) await rm(file.path, { force: true })
      await db.manager.close(CONNECTION)
      db.manager.release(CONNECTION)
      await rm(join(platform, DB_FILE), { force: true })
    }
  })

  test('a demo database from before encryption keeps working after migrate and data:reencrypt', async ({ assert }) => {
    // Back to the schema and the clear rows an older version left, with its uploads in clear too:
    // every migration from the encryption one on is rolled back.
    const migrations = (await readdir(join(platform, 'database', 'migrations'))).filter((f) => f.endsWith('.ts')).sort()
    // The shipped plugins' migrations run after the platform's: they are undone first.
    const plugins = join(platform, '..', 'plugins')
    let pluginMigrations = 0
    for (const id of await readdir(plugins)) {
      const files = await readdir(join(plugins, id, 'migrations')).catch(() => [] as string[])
      pluginMigrations += files.filter((f) => f.endsWith('.ts')).length
    }
    const step = migrations.length - migrations.indexOf('0009_encrypt_personal_data.ts') + pluginMigrations
    const back = await ace(['migration:rollback', `--step=${step}`, '--force'])
    assert.equal(back.code, 0, back.stderr)
    const cipher = new DataCipher(devRing)
    for (const file of await attachmentFiles()) {
      await writeFile(file.path, cipher.decryptFile(await readFile(file.path), file.context))
    }
    const citizen = () => cli().from('users').where('email', 'cittadino@piacenza.demo').firstOrFail()
    assert.equal((await citizen()).full_name, 'Mario Rossi')
    assert.equal((await cli().from('enrolments').firstOrFail()).child_first_name, 'Giulia')

    const migrated = await ace(['migration:run', '--force'])
    assert.equal(migrated.code, 0, migrated.stderr)
    assert.isTrue(DataCipher.isEncrypted((await citizen()).full_name))
    assert.isNotNull((await citizen()).fiscal_code_hash)
    for (const { where, value } of await values()) assert.isTrue(DataCipher.isEncrypted(value), where)

    const files = await ace(['data:reencrypt'])
    assert.equal(files.code, 0, files.stderr)
    assert.match(files.stdout, /files: 1\/1 done, 1 rewritten \(\d+\/s\)/)
    for (const file of await attachmentFiles()) {
      assert.equal(DataCipher.fileKeyId(await readFile(file.path)), 'dev1')
    }
    // Starting again (seed included) works on the converted database.
    const seed = await ace(['demo:seed'])
    assert.equal(seed.code, 0, seed.stderr)
  }).timeout(120_000)

  test('rotation: progress, Ctrl-C stops after a batch, a kill -9 loses nothing, the next run finishes', async ({
    assert,
  }) => {
    const rot = `rot:${randomBytes(32).toString('base64')}`
    const ring = `${rot},${devRing}`
    const total = (await values()).length
    const onKey = async (id: string) => (await values()).filter((v) => v.value.startsWith(`enc:v1:${id}:`)).length

    const stopped = await interrupted(ring, 'SIGINT')
    assert.equal(stopped.code, 2, stopped.stdout + stopped.stderr)
    assert.include(stopped.stdout, 'Interrupted: run "node ace.js data:reencrypt" again')
    const afterStop = await onKey('rot')
    assert.isAbove(afterStop, 0)
    assert.isBelow(afterStop, total)
    assert.equal(afterStop + (await onKey('dev1')), total, 'every value under one key or the other')

    const killed = await interrupted(ring, 'SIGKILL')
    assert.equal(killed.signal, 'SIGKILL')
    assert.equal((await onKey('rot')) + (await onKey('dev1')), total)

    const finished = await ace(['data:reencrypt', '--batch-size=3'], ring)
    assert.equal(finished.code, 0, finished.stderr)
    assert.match(finished.stdout, /audit_logs: \d+\/\d+ done, \d+ rewritten \(\d+\/s\)/)
    assert.include(finished.stdout, 'now under key "rot"')
    assert.equal(await onKey('rot'), total)
    for (const row of await cli().from('users').whereNotNull('fiscal_code_hash')) {
      assert.match(row.fiscal_code_hash, /^rot:/)
    }
    for (const row of await cli().from('audit_logs').select('before', 'after')) {
      assert.notInclude(`${row.before}${row.after}`, 'enc:v1:dev1:')
    }
    for (const file of await attachmentFiles()) {
      assert.equal(DataCipher.fileKeyId(await readFile(file.path)), 'rot')
    }

    // The old key leaves the ring: nothing needs it, and the application starts and seeds on the new key alone.
    const alone = await ace(['data:reencrypt'], rot)
    assert.equal(alone.code, 0, alone.stderr)
    const report = JSON.parse(alone.stdout.trim().split('\n').at(-1)!)
    assert.equal(report.failureCount, 0)
    assert.equal(report.files.rewritten, 0)
    const seed = await ace(['demo:seed'], rot)
    assert.equal(seed.code, 0, seed.stderr)
  }).timeout(180_000)
})
