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

test.group('Environment validated at boot', () => {
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
})
