import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'

/**
 * The CLI runs in its own process and cannot see a test's transaction, so it
 * gets a database of its own: a SQLite file migrated and seeded here (the
 * demo seed creates "piacenza" with refezione, trasporto and nidi), whatever
 * engine the rest of the suite runs on. It is started from the repository
 * root, as documented, with the facts file named relative to it; and in the
 * development environment, whose logger prints to stdout, to prove that
 * nothing but the answer reaches stdout.
 */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
const run = promisify(execFile)
const env = {
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  DB_CONNECTION: 'sqlite',
  SQLITE_PATH: 'tmp/cli-test.sqlite3',
}

interface Outcome {
  code: number
  stdout: string
  stderr: string
}

async function ace(...args: string[]): Promise<Outcome> {
  return run('node', ['platform/ace.js', ...args], { cwd: repoRoot, env, maxBuffer: 32 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr })
  )
}

async function facts(name: string, content: unknown) {
  const relative = `platform/tmp/cli-facts/${name}.json`
  await writeFile(`${repoRoot}${relative}`, typeof content === 'string' ? content : JSON.stringify(content))
  return relative
}

function evalArgs(factsFile: string, at = '2021-10-01', tenant = 'piacenza', ruleset = 'refezione.tariffa') {
  return ['rules:eval', `--tenant=${tenant}`, `--ruleset=${ruleset}`, `--at=${at}`, `--facts=${factsFile}`]
}

test.group('rules:eval command', (group) => {
  // Its processes run on their own SQLite database whatever the suite runs on (see bin/test.ts).
  group.tap((t) => t.tags(['@embedded']))
  group.setup(async () => {
    await rm(`${repoRoot}platform/tmp/cli-test.sqlite3`, { force: true })
    await mkdir(`${repoRoot}platform/tmp/cli-facts`, { recursive: true })
    for (const step of [['migration:run', '--force'], ['demo:seed']]) {
      const outcome = await ace(...step)
      if (outcome.code !== 0) throw new Error(`${step[0]} failed: ${outcome.stderr}${outcome.stdout}`)
    }
    return () => rm(`${repoRoot}platform/tmp/cli-facts`, { recursive: true, force: true })
  })
  group.each.timeout(60000)

  test('one facts object gives one JSON object on stdout and nothing else', async ({ assert }) => {
    const outcome = await ace(...evalArgs(await facts('one', { residence: 'piacenza', isee: 12000 })))
    assert.equal(outcome.code, 0, outcome.stderr)
    const answer = JSON.parse(outcome.stdout)
    assert.equal(answer.ruleset, 'refezione.tariffa')
    assert.equal(answer.version, 2)
    assert.equal(answer.at, '2021-10-01')
    assert.equal(answer.result.amount, '5.69')
    assert.deepInclude(
      answer.trace.find((t: { kind: string }) => t.kind === 'table'),
      { row: 'intera', column: '1_figlio' }
    )
  })

  test('an array of facts gives an array in the same order', async ({ assert }) => {
    const file = await facts('many', [
      { residence: 'other' },
      { residence: 'piacenza', isee: 4300 },
      { residence: 'piacenza', isee: 12000 },
    ])
    const outcome = await ace(...evalArgs(file))
    assert.equal(outcome.code, 0, outcome.stderr)
    const answer = JSON.parse(outcome.stdout)
    assert.isArray(answer)
    assert.deepEqual(
      answer.map((r: { result: { amount: string } }) => r.result.amount),
      ['5.89', '1.79', '5.69']
    )
  })

  test('facts breaking the schema exit with 2 and name each fact on stderr', async ({ assert }) => {
    const file = await facts('broken', [{ residence: 'piacenza' }, { residence: 'mars', isee: -1 }])
    const outcome = await ace(...evalArgs(file))
    assert.equal(outcome.code, 2)
    assert.equal(outcome.stdout.trim(), '')
    const { errors } = JSON.parse(outcome.stderr.trim().split('\n').at(-1)!)
    assert.deepEqual(
      errors.map((e: { index: number; fact: string }) => [e.index, e.fact]),
      [
        [1, 'residence'],
        [1, 'isee'],
      ]
    )
    assert.isTrue(errors.every((e: { message: string }) => e.message.length > 0))
  })

  test('unknown tenant, unknown rule set and unreadable file exit with 1; bad JSON and bad date with 2', async ({
    assert,
  }) => {
    const good = await facts('good', { residence: 'piacenza' })
    const cases: Array<[string[], number, string]> = [
      [evalArgs(good, '2021-10-01', 'nessun-ente'), 1, 'tenant not found'],
      [evalArgs(good, '2021-10-01', 'piacenza', 'nessuna.regola'), 1, 'No rule set'],
      [evalArgs('platform/tmp/cli-facts/missing.json'), 1, 'cannot read the facts file'],
      [evalArgs(await facts('not-json', '{"residence": ')), 2, 'not valid JSON'],
      [evalArgs(good, '2021-13-01'), 2, 'YYYY-MM-DD'],
      [evalArgs(good, '2000-01-01'), 2, 'No version of'],
    ]
    for (const [args, code, text] of cases) {
      const outcome = await ace(...args)
      assert.equal(outcome.code, code, `${args.join(' ')}: ${outcome.stderr}`)
      assert.equal(outcome.stdout.trim(), '')
      const error = JSON.parse(outcome.stderr.trim().split('\n').at(-1)!)
      assert.include(error.errors[0].message, text)
    }
    // Six processes, each booting the application: minutes on a busy machine, not a timing bound.
  }).timeout(300_000)

  test('rules:test runs the golden cases and prints the report', async ({ assert }) => {
    const outcome = await ace('rules:test', '--tenant=piacenza', '--ruleset=refezione.tariffa')
    assert.equal(outcome.code, 0, outcome.stderr)
    const report = JSON.parse(outcome.stdout)
    assert.equal(report.failed, 0)
    assert.isAbove(report.passed, 20)
  })
})
