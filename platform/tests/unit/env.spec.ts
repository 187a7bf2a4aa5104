import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'

const platform = fileURLToPath(new URL('../../', import.meta.url))

async function boot(env: Record<string, string>) {
  const run = promisify(execFile)
  return run('node', ['ace.js', 'plugins:list', '--json'], { cwd: platform, env: { ...process.env, ...env } }).then(
    (ok) => ({ code: 0, output: ok.stdout + ok.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr })
  )
}

test.group('Environment validated at boot', (group) => {
  // Its processes run on their own SQLite database whatever the suite runs on (see bin/test.ts).
  group.tap((t) => t.tags(['@embedded']))
  test('a malformed variable stops the boot and is named', async ({ assert }) => {
    const result = await boot({ DB_CONNECTION: 'mysql' })
    assert.notEqual(result.code, 0)
    assert.include(result.output, 'DB_CONNECTION')
  }).timeout(30000)

  test('production gets no embedded default: a missing variable is named', async ({ assert }) => {
    const result = await boot({ NODE_ENV: 'production', PORT: '', APP_KEY: '', DATA_ENCRYPTION_KEYS: '' })
    assert.notEqual(result.code, 0)
    assert.include(result.output, 'APP_KEY')
  }).timeout(30000)

  test('a Redis URL that is not one is refused with an example', async ({ assert }) => {
    const result = await boot({ REDIS_URL: 'http://localhost:6379' })
    assert.notEqual(result.code, 0)
    assert.include(result.output, 'REDIS_URL must be a Redis URL such as redis://')
  }).timeout(30000)

  test('production refuses the published development secrets and a short APP_KEY, naming each variable', async ({
    assert,
  }) => {
    const production = {
      NODE_ENV: 'production',
      PORT: '3333',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      DB_CONNECTION: 'sqlite',
      SQLITE_PATH: 'tmp/production-check.sqlite3',
      SESSION_DRIVER: 'database',
      APP_KEY: 'dev-only-app-key-change-me-in-production',
      DATA_ENCRYPTION_KEYS: 'dev1:c3BvcnRlbGxvLWRldmVsb3BtZW50LWtleS0zMi1ieXQ=',
      DOCAREA_PASSWORD_PIACENZA: 'Sportello.2026',
    }
    const published = await boot(production)
    assert.notEqual(published.code, 0)
    assert.include(published.output, 'APP_KEY is the development key')
    assert.include(published.output, 'DATA_ENCRYPTION_KEYS holds the development key')
    assert.include(published.output, 'DOCAREA_PASSWORD_PIACENZA is the demo password')

    const short = await boot({
      ...production,
      APP_KEY: 'short-key',
      DATA_ENCRYPTION_KEYS: `p1:${Buffer.alloc(32, 7).toString('base64')}`,
      DOCAREA_PASSWORD_PIACENZA: 'x',
      SESSION_DRIVER: 'cookie',
    })
    assert.notEqual(short.code, 0)
    assert.include(short.output, 'APP_KEY is too short')
    assert.include(short.output, 'SESSION_DRIVER=cookie')
    assert.notInclude(short.output, 'DATA_ENCRYPTION_KEYS holds')
  }).timeout(60000)
})
