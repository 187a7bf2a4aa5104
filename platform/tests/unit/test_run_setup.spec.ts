import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const platform = fileURLToPath(new URL('../../', import.meta.url))

test.group('The test run', (group) => {
  // Its child suite runs on a database of its own choosing whatever this suite runs on (see bin/test.ts).
  group.tap((t) => t.tags(['@embedded']))

  test('a run whose setup fails ends with code 1 instead of waiting forever', async ({ assert }) => {
    // PostgreSQL on a port nobody listens on: the migrations of the setup fail.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DB_CONNECTION: 'pg',
      PG_HOST: '127.0.0.1',
      PG_PORT: '1',
      PG_USER: 'postgres',
      PG_PASSWORD: '',
      PG_DB_NAME: 'unreachable',
      REDIS_URL: '',
    }
    delete env.PORT
    delete env.BROWSER_TESTS
    const child = spawn(
      process.execPath,
      ['--import=ts-node-maintained/register/esm', 'bin/test.ts', 'unit', '--files=tests/unit/env.spec.ts'],
      { cwd: platform, env, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    // Far longer than a failed setup takes, even on a busy machine; a hung run is killed here.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (c, s) => resolve([c, s]))
    )
    clearTimeout(timer)
    assert.isNull(signal, `the run did not end by itself:\n${output.slice(-3000)}`)
    assert.equal(code, 1, output.slice(-3000))
    assert.include(output, 'ECONNREFUSED')
  }).timeout(150_000)
})
