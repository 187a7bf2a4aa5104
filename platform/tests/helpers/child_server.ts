import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'

const run = promisify(execFile)

/** A loopback port free a moment ago (the child listens on it). */
export async function freePort() {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/**
 * The child's database, opened from the test as a second Lucid connection
 * (the child's SQLite file, or its PostgreSQL database). Close it with `release`.
 */
export function childDatabase(name: string, target: { sqlite: string } | { pg: string }) {
  // The platform's migrations and the plugins' (mounted on the configured connections at boot).
  const migrations = { paths: db.manager.get(db.primaryConnectionName)?.config.migrations?.paths }
  if ('sqlite' in target) {
    db.manager.add(name, {
      client: 'better-sqlite3',
      connection: { filename: app.makePath(target.sqlite) },
      useNullAsDefault: true,
      migrations,
    })
  } else {
    db.manager.add(name, {
      client: 'pg',
      connection: {
        host: process.env.PG_HOST ?? '127.0.0.1',
        port: Number(process.env.PG_PORT ?? 5432),
        user: process.env.PG_USER ?? 'postgres',
        password: process.env.PG_PASSWORD ?? '',
        database: target.pg,
      },
      migrations,
    })
  }
  return {
    connection: db.connection(name),
    /** The application's migrations, run from here (quicker than a child `ace migration:run`). */
    async migrate() {
      const { MigrationRunner } = await import('@adonisjs/lucid/migration')
      const migrator = new MigrationRunner(db, app, { direction: 'up', connectionName: name })
      await migrator.run()
      if (migrator.error) throw migrator.error
    },
    release: () => db.manager.release(name),
  }
}

/**
 * The application as its own process (bin/server.ts), with the environment
 * given: what `npm start` runs, minus the portal build. Its output is kept
 * for the test's failure message.
 */
export class ChildServer {
  #child: ChildProcess | undefined
  output = ''

  readonly env: NodeJS.ProcessEnv

  /** A variable given as '' is left out: unset, as if the child's shell never had it. */
  constructor(env: NodeJS.ProcessEnv) {
    this.env = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  }

  get url() {
    return `http://127.0.0.1:${this.env.PORT}`
  }

  /** An ace command in the child's environment (migrations, seeding). */
  async ace(...args: string[]) {
    await run(process.execPath, ['ace.js', ...args], {
      cwd: app.makePath(),
      env: this.env,
      maxBuffer: 16 * 1024 * 1024,
    })
  }

  async start(timeoutMs = 30_000) {
    const child = spawn(process.execPath, ['--import=ts-node-maintained/register/esm', 'bin/server.ts'], {
      cwd: app.makePath(),
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child = child
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000)
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    const started = Date.now()
    for (;;) {
      if (child.exitCode !== null) throw new Error(`The server exited at start:\n${this.output}`)
      const healthy = await fetch(`${this.url}/health`)
        .then((r) => r.status === 200)
        .catch(() => false)
      if (healthy) return
      if (Date.now() - started > timeoutMs) throw new Error(`The server did not answer in time:\n${this.output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye. */
  async kill9() {
    const child = this.#child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  }
}

/** Where a crash test's child process keeps its data: the environment it starts with, and how to clean up. */
export interface ChildDatabaseVariant {
  name: string
  /** PostgreSQL with BullMQ: the deployment whose web and worker processes run apart. */
  split: boolean
  /**
   * The test's tags: the SQLite layout is `@embedded` (its child runs on an SQLite file of its own
   * whatever the suite uses), so `npm run test:full` leaves it to `npm test` instead of running it twice.
   */
  tags: string[]
  prepare: () => Promise<{
    env: NodeJS.ProcessEnv
    target: Parameters<typeof childDatabase>[1]
    cleanup: () => Promise<void>
  }>
}

/**
 * The layouts a crash test runs its child on: always SQLite with the in-process queue (a file of
 * its own under tmp/); under `npm run test:full` also PostgreSQL with BullMQ (a database and a
 * queue prefix of its own, both removed by `cleanup`). `label` names the file, database and prefix.
 */
export function childDatabaseVariants(label: string): ChildDatabaseVariant[] {
  const variants: ChildDatabaseVariant[] = [
    {
      name: 'SQLite, in-process queue',
      split: false,
      tags: ['@embedded'],
      async prepare() {
        const dir = `tmp/${label}-${process.pid}-${Date.now()}`
        await mkdir(app.makePath(dir), { recursive: true })
        const file = `${dir}/sportello.sqlite3`
        return {
          env: { DB_CONNECTION: 'sqlite', SQLITE_PATH: file, REDIS_URL: '' },
          target: { sqlite: file },
          cleanup: () => rm(app.makePath(dir), { recursive: true, force: true }),
        }
      },
    },
  ]
  if (process.env.DB_CONNECTION !== 'pg' || !process.env.REDIS_URL) return variants
  variants.push({
    name: 'PostgreSQL, BullMQ',
    split: true,
    tags: [],
    async prepare() {
      const database = `sportello_${label.replaceAll('-', '_')}_${process.pid}_${Date.now()}`
      await db.rawQuery(`create database "${database}"`)
      const prefix = `${label}-${randomUUID()}`
      return {
        env: { DB_CONNECTION: 'pg', PG_DB_NAME: database, REDIS_URL: process.env.REDIS_URL, QUEUE_PREFIX: prefix },
        target: { pg: database },
        cleanup: async () => {
          const { Queue } = await import('bullmq')
          const url = new URL(process.env.REDIS_URL!)
          const queue = new Queue('sportello', {
            prefix,
            connection: { host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0) },
          })
          await queue.obliterate({ force: true }).catch(() => {})
          await queue.close()
          await db.rawQuery(`drop database if exists "${database}" with (force)`)
        },
      }
    },
  })
  return variants
}

/** Waits until `predicate` holds, asking every `everyMs`; fails naming `what` after `timeoutMs`. */
export async function until(what: string, predicate: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const started = Date.now()
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`Not in time: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
