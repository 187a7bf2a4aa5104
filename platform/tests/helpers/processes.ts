import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

/**
 * The platform's own processes, started from source as production starts them from the build
 * (bin/server.ts, bin/worker.ts), with a production environment written out in full: no
 * embedded default applies, so nothing here leans on the demo's.
 */
export const PLATFORM_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export function productionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    APP_KEY: 'process-test-app-key-0123456789abcdef',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SESSION_DRIVER: 'database',
    // A key of these tests only: production refuses the published development key.
    DATA_ENCRYPTION_KEYS: 'k1:cHJvY2Vzcy10ZXN0cy1vbmx5LWtleS0zMi1ieXRlcyE=',
    STORAGE_PATH: 'tmp/process-tests/storage',
    DB_CONNECTION: 'sqlite',
    SQLITE_PATH: 'tmp/process-tests/unused.sqlite3',
    ...extra,
  }
}

export interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves once the output contains `text`, fails after `timeoutMs` naming it and showing the output. */
  waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<void>
}

export function startProcess(entry: 'bin/server.ts' | 'bin/worker.ts', env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--import=ts-node-maintained/register/esm', entry], {
    cwd: PLATFORM_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal }))
  )
  const waitFor = (text: string | RegExp, timeoutMs = 60000) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => (typeof text === 'string' ? output.includes(text) : text.test(output))
      const started = Date.now()
      const tick = () => {
        if (matches()) return resolve()
        if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > timeoutMs) {
          return reject(new Error(`"${text}" never appeared; the process said:\n${output}`))
        }
        setTimeout(tick, 50)
      }
      tick()
    })
  return { child, output: () => output, exited, waitFor }
}

/**
 * Waits for the process to end and fails unless it ended by itself with code 0, showing what it
 * printed: an exit code alone does not say which error or which late log line caused it.
 */
export async function assertCleanExit(started: Started) {
  const exit = await started.exited
  if (exit.code === 0 && exit.signal === null) return
  throw new Error(
    `expected exit code 0, got code ${exit.code} signal ${exit.signal}; the process said:\n${started.output().slice(-8000)}`
  )
}

/** Stops a process left running by a failed test (SIGKILL: it is only cleanup). */
export function killQuietly(started: Started | undefined) {
  if (started && started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL')
}
