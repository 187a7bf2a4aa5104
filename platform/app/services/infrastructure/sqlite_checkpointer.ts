import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * SQLite's WAL checkpoints, off the event loop. With `synchronous = NORMAL` (config/database.ts) a
 * commit appends to the log and does not wait for the disk; the disk is synced when the log is
 * copied back into the database (a checkpoint). Left to SQLite, that copy and its syncs run inside
 * whichever commit crosses the log's size limit, and better-sqlite3 being synchronous, every
 * request waits behind it. Here a worker thread with its own connection to the same file copies the
 * log at a short interval (`PASSIVE`: it never waits for, nor blocks, a reader or a writer), so the
 * syncs happen on another thread. The application's connections keep a much larger automatic limit
 * (`wal_autocheckpoint` in config/database.ts) as a safety net: should this thread stop, the log
 * still cannot grow without bound.
 */
export const CHECKPOINT_EVERY_MS = 500

// Plain JavaScript run by the worker thread (no TypeScript loader there); better-sqlite3 is passed
// by its resolved path, so it loads whatever the working directory.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const { existsSync } = require('node:fs')
// Opened on the first tick that finds the file: on a fresh machine the application creates the
// database with its first connection, which may come after this thread starts.
let db = null
let failing = false
function describe(error) {
  if (!error) return 'unknown error'
  return [error.code, error.message].filter(Boolean).join(': ') || String(error)
}
function checkpoint(asked) {
  try {
    if (!db) {
      // Not created yet: nothing to copy, and nothing wrong (the connections report a bad path).
      if (!existsSync(workerData.file)) {
        if (asked) parentPort.postMessage({ error: 'the database file does not exist yet', asked })
        return
      }
      db = new Database(workerData.file, { fileMustExist: true })
      db.pragma('busy_timeout = 5000')
      db.pragma('synchronous = NORMAL')
    }
    const [result] = db.pragma('wal_checkpoint(PASSIVE)')
    if (failing) parentPort.postMessage({ recovered: true })
    failing = false
    if (asked) parentPort.postMessage({ checkpointed: result.checkpointed, log: result.log, busy: result.busy })
  } catch (error) {
    if (!failing || asked) parentPort.postMessage({ error: describe(error), first: !failing, asked })
    failing = true
  }
}
const timer = setInterval(() => checkpoint(false), workerData.everyMs)
parentPort.on('message', (message) => {
  if (message === 'now') checkpoint(true)
  if (message === 'stop') {
    clearInterval(timer)
    checkpoint(false)
    if (db) db.close()
    parentPort.close()
  }
})
`

export interface CheckpointResult {
  checkpointed: number
  log: number
  busy: number
}

type Message = Partial<CheckpointResult> & { error?: string; first?: boolean; asked?: boolean; recovered?: boolean }

type Logger = { info(msg: string): void; error(msg: string): void }

export class SqliteCheckpointer {
  #worker: Worker
  #stopped: Promise<void>
  #waiting: Array<{ resolve: (result: CheckpointResult) => void; reject: (error: Error) => void }> = []

  constructor(file: string, logger: Logger, everyMs = CHECKPOINT_EVERY_MS) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    this.#worker = new Worker(SOURCE, { eval: true, workerData: { file, driver, everyMs } })
    // It must not keep a process alive that has nothing else to do.
    this.#worker.unref()
    this.#worker.on('message', (message: Message) => {
      if (message.recovered) return logger.info('[sqlite] checkpoints work again')
      if (message.error && message.first) {
        logger.error(`[sqlite] checkpoint failed, the log grows until it works again: ${message.error}`)
      }
      if (!message.error && message.checkpointed === undefined) return
      for (const waiter of this.#waiting.splice(0)) {
        if (message.error) waiter.reject(new Error(message.error))
        else waiter.resolve(message as CheckpointResult)
      }
    })
    // What a thread throws reaches here cloned: a driver's error may arrive as a bare `{ code }`.
    this.#worker.on('error', (error: { message?: string; code?: string }) =>
      logger.error(
        `[sqlite] the checkpoint thread stopped (the connections' own limit takes over): ${error?.message ?? error?.code ?? String(error)}`
      )
    )
    this.#stopped = new Promise((resolve) => this.#worker.once('exit', () => resolve()))
  }

  /** Runs a checkpoint now and answers its outcome (pages in the log, pages copied). */
  now(): Promise<CheckpointResult> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject })
      this.#worker.postMessage('now')
    })
  }

  /** A last checkpoint, then the thread ends. */
  async stop() {
    // Held again while it ends: an unreferenced thread would let the process exit in the middle of
    // this await (with nothing else left, as at the end of a test run), before the caller's next step.
    this.#worker.ref()
    this.#worker.postMessage('stop')
    await this.#stopped
  }
}
