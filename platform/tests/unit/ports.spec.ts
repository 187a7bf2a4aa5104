/**
 * Ports: every one the product opens is a variable, the tests take free ones by themselves, and two
 * copies (the demo and the suite, or two demos) can run on one machine.
 */
import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { rm } from 'node:fs/promises'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { applyEmbeddedDefaults } from '#start/env_defaults'
import { freePort } from '#start/ports'

const platform = fileURLToPath(new URL('../../', import.meta.url))

function listen(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(null))
    server.listen(port, '0.0.0.0', () => resolve(server))
  })
}

test.group('Ports', () => {
  test('the demo’s mail capture and DOCAREA simulator ports are variables; mail follows the capture port', ({
    assert,
  }) => {
    const demo: NodeJS.ProcessEnv = { NODE_ENV: 'development' }
    applyEmbeddedDefaults(demo)
    assert.equal(demo.PORT, '3333')
    assert.equal(demo.MAIL_CAPTURE_PORT, '2525')
    assert.equal(demo.SMTP_URL, 'smtp://127.0.0.1:2525')
    assert.equal(demo.DOCAREA_SIMULATOR_PORT, '2580')

    const second: NodeJS.ProcessEnv = {
      NODE_ENV: 'development',
      PORT: '4333',
      MAIL_CAPTURE_PORT: '4525',
      DOCAREA_SIMULATOR_PORT: '4580',
    }
    applyEmbeddedDefaults(second)
    assert.equal(second.PORT, '4333')
    assert.equal(second.SMTP_URL, 'smtp://127.0.0.1:4525', 'mail goes to the capture server on its own port')
    assert.equal(second.DOCAREA_SIMULATOR_PORT, '4580')

    const off: NodeJS.ProcessEnv = { NODE_ENV: 'development', MAIL_CAPTURE_PORT: '0', DOCAREA_SIMULATOR_PORT: '0' }
    applyEmbeddedDefaults(off)
    assert.isUndefined(off.SMTP_URL, 'no capture server: no mail server assumed')

    const own: NodeJS.ProcessEnv = { NODE_ENV: 'development', SMTP_URL: 'smtp://mail.example:587' }
    applyEmbeddedDefaults(own)
    assert.equal(own.SMTP_URL, 'smtp://mail.example:587')

    const tests: NodeJS.ProcessEnv = { NODE_ENV: 'test' }
    applyEmbeddedDefaults(tests)
    assert.isUndefined(tests.MAIL_CAPTURE_PORT, 'tests start no capture server on a fixed port')
    assert.isUndefined(tests.DOCAREA_SIMULATOR_PORT)
    assert.isUndefined(tests.SMTP_URL)
  })

  test('a free port is one nobody else is using, even while 3333 is held', async ({ assert }) => {
    const held = await listen(3333)
    try {
      const port = await freePort()
      assert.notEqual(port, 3333)
      const server = await listen(port)
      assert.isNotNull(server, `port ${port} is free`)
      server?.close()
    } finally {
      held?.close()
    }
  })

  test('the suite runs while another server holds port 3333', async ({ assert }) => {
    // Held here unless something (the demo) already holds it: either way 3333 is taken.
    const held = await listen(3333)
    const sqlite = `tmp/test-ports-${process.pid}.sqlite3`
    const env: NodeJS.ProcessEnv = { ...process.env, SQLITE_PATH: sqlite, DB_CONNECTION: 'sqlite', REDIS_URL: '' }
    // The child chooses its own port: it must not inherit this run's.
    delete env.PORT
    delete env.BROWSER_TESTS
    try {
      const run = promisify(execFile)
      const child = await run(
        'node',
        ['--import=ts-node-maintained/register/esm', 'bin/test.ts', '--files=tests/functional/health.spec.ts'],
        { cwd: platform, env, timeout: 120_000 }
      ).then(
        (ok) => ({ code: 0, output: ok.stdout + ok.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr })
      )
      assert.equal(child.code, 0, child.output)
      assert.notInclude(child.output, 'EADDRINUSE')
      assert.notMatch(child.output, /failed/)
      assert.match(child.output, /passed/)
    } finally {
      held?.close()
      await rm(`${platform}/${sqlite}`, { force: true })
    }
  })
    // Its child suite runs on its own SQLite database whatever this suite runs on (see bin/test.ts).
    .tags(['@embedded'])
    .timeout(150_000)
})
