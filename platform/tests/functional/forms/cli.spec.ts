import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { FORM, refezioneSample } from './world.js'

/**
 * `forms:validate` runs in its own process and cannot see a test's
 * transaction, so it gets its own SQLite file, migrated and seeded here.
 */
const platform = fileURLToPath(new URL('../../../', import.meta.url))
const DB_FILE = 'tmp/forms-cli-test.sqlite3'
const env = { ...process.env, DB_CONNECTION: 'sqlite', SQLITE_PATH: DB_FILE }
const run = promisify(execFile)

type Result = { code: number; stdout: string; stderr: string }

async function ace(...args: string[]): Promise<Result> {
  return run('node', ['ace.js', ...args], { cwd: platform, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr })
  )
}

test.group('forms:validate command', (group) => {
  // Its processes run on their own SQLite database whatever the suite runs on (see bin/test.ts).
  group.tap((t) => t.tags(['@embedded']))
  let dir = ''
  group.setup(async () => {
    await rm(join(platform, DB_FILE), { force: true })
    for (const step of [['migration:run', '--force'], ['demo:seed']]) {
      const result = await ace(...step)
      if (result.code !== 0) throw new Error(`${step.join(' ')} failed: ${result.stderr}${result.stdout}`)
    }
    dir = await mkdtemp(join(tmpdir(), 'forms-cli-'))
  })
  group.teardown(async () => {
    await rm(dir, { recursive: true, force: true })
    await rm(join(platform, DB_FILE), { force: true })
  })

  test('a valid data file prints {"valid": true} and exits 0', async ({ assert }) => {
    const file = join(dir, 'valid.json')
    await writeFile(file, JSON.stringify(await refezioneSample()))
    // The path is taken relative to the working directory.
    const result = await ace(
      'forms:validate',
      '--tenant=piacenza',
      `--form=${FORM}`,
      `--data=${relative(platform, file)}`
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), { valid: true, errors: [] })
  }).timeout(60_000)

  test('an invalid data file prints every error, as the API does, and exits 1', async ({ assert }) => {
    const file = join(dir, 'invalid.json')
    const data: Record<string, unknown> = { ...(await refezioneSample()), has_siblings: true }
    delete data.student
    await writeFile(file, JSON.stringify(data))
    const result = await ace('forms:validate', '--tenant=piacenza', `--form=${FORM}`, `--data=${file}`)
    assert.equal(result.code, 1)
    const output = JSON.parse(result.stdout)
    assert.isFalse(output.valid)
    assert.isTrue(
      output.errors.some((e: { path: string; rule: string }) => e.path === '/siblings' && e.rule === 'siblings_missing')
    )
    assert.isTrue(
      output.errors.some((e: { path: string; rule: string }) => e.path === '/student' && e.rule === 'schema:required')
    )
  }).timeout(60_000)

  test('checks the school fields against the tenant catalog, as the API does', async ({ assert }) => {
    const file = join(dir, 'schools.json')
    const data = { ...(await refezioneSample()), school_id: 'pc-primaria-mazzini', section: 'A' }
    await writeFile(file, JSON.stringify(data))
    const closed = await ace('forms:validate', '--tenant=piacenza', `--form=${FORM}`, `--data=${file}`, '--lang=en')
    assert.equal(closed.code, 1, closed.stderr)
    assert.deepEqual(
      JSON.parse(closed.stdout).errors.map((e: { path: string; rule: string }) => [e.path, e.rule]),
      [['/school_id', 'catalog:inactive']]
    )
    await writeFile(file, JSON.stringify({ ...data, school_id: 'pc-primaria-alberoni', class_year: '9' }))
    const noClass = await ace('forms:validate', '--tenant=piacenza', `--form=${FORM}`, `--data=${file}`)
    assert.equal(noClass.code, 1, noClass.stderr)
    assert.deepEqual(
      JSON.parse(noClass.stdout).errors.map((e: { path: string; rule: string }) => [e.path, e.rule]),
      [
        ['/class_year', 'catalog:unknown'],
        ['/section', 'catalog:unknown'],
      ]
    )
  }).timeout(60_000)

  test('an unknown tenant or form, or an unreadable file, exits 2 with a JSON error on stderr', async ({ assert }) => {
    const file = join(dir, 'valid.json')
    const broken = join(dir, 'broken.json')
    await writeFile(broken, '{"not json')
    for (const args of [
      ['--tenant=nowhere', `--form=${FORM}`, `--data=${file}`],
      ['--tenant=piacenza', '--form=nope.iscrizione', `--data=${file}`],
      ['--tenant=piacenza', `--form=${FORM}`, `--data=${join(dir, 'missing.json')}`],
      ['--tenant=piacenza', `--form=${FORM}`, `--data=${broken}`],
    ]) {
      const result = await ace('forms:validate', ...args)
      assert.equal(result.code, 2, args.join(' '))
      assert.equal(result.stdout.trim(), '')
      assert.isString(JSON.parse(result.stderr).error)
    }
  }).timeout(120_000)
})
