import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { sourceFiles } from '@adonisjs/lucid/utils'
import { jobQueue } from '#queue/queue_factory'

/**
 * Whether this process should take traffic (`GET /ready`): the database answers, the queue's
 * Redis answers when one is configured, every migration of this build is applied, and the
 * process is not shutting down. Each check is bounded in time, so an unreachable server makes
 * the answer a 503 with its reason, never a hanging request.
 */
export interface Check {
  ok: boolean
  detail?: string
}

export interface ReadinessReport {
  ready: boolean
  checks: { database: Check; queue: Check & { driver?: string }; migrations: Check & { pending?: string[] } }
  errors: Array<{ path: string; rule: string; message: string }>
}

const CHECK_TIMEOUT_MS = 3000

function bounded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS
    )
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

async function database(): Promise<Check> {
  try {
    await bounded('the database', db.rawQuery('select 1 as ok'))
    return { ok: true }
  } catch (error) {
    return { ok: false, detail: (error as Error).message }
  }
}

async function queue(): Promise<Check & { driver?: string }> {
  try {
    const health = await bounded('the queue', jobQueue().health())
    return health.ok ? { ok: true, driver: health.driver } : { ok: false, driver: health.driver, detail: health.detail }
  } catch (error) {
    return { ok: false, detail: (error as Error).message }
  }
}

/** The migration files this build ships, named as Lucid records them ("database/migrations/0001_..."). */
let shipped: Promise<string[]> | undefined

function shippedMigrations() {
  shipped ??= (async () => {
    const config = db.getRawConnection(db.primaryConnectionName)?.config
    const paths = config?.migrations?.paths ?? ['database/migrations']
    const names: string[] = []
    for (const path of paths) {
      const { files } = await sourceFiles(app.appRoot, path, config?.migrations?.naturalSort ?? false)
      names.push(...files.map((file) => file.name))
    }
    return names
  })()
  return shipped
}

async function appliedMigrations(): Promise<string[]> {
  // A database never migrated has no adonis_schema table: every migration is pending.
  if (!(await db.connection().schema.hasTable('adonis_schema'))) return []
  const rows: Array<{ name: string }> = await db.from('adonis_schema').select('name')
  return rows.map((row) => row.name)
}

async function migrations(): Promise<Check & { pending?: string[] }> {
  try {
    const [files, names] = await Promise.all([shippedMigrations(), bounded('the database', appliedMigrations())])
    const applied = new Set(names)
    const pending = files.filter((name) => !applied.has(name))
    if (pending.length === 0) return { ok: true }
    return { ok: false, pending, detail: `${pending.length} migration(s) not applied: ${pending.join(', ')}` }
  } catch (error) {
    return { ok: false, detail: `cannot read the applied migrations: ${(error as Error).message}` }
  }
}

export async function readiness(): Promise<ReadinessReport> {
  const starting = !app.isReady
  const [databaseCheck, queueCheck, migrationsCheck] = await Promise.all([
    database(),
    // The HTTP server listens a moment before the providers have created the queue.
    starting ? Promise.resolve({ ok: false, detail: 'not started yet' }) : queue(),
    migrations(),
  ])
  const errors: ReadinessReport['errors'] = []
  if (starting) {
    errors.push({ path: 'process', rule: 'ready:starting', message: 'The process is still starting.' })
  } else if (!queueCheck.ok) {
    errors.push({ path: 'queue', rule: 'ready:queue', message: `Queue unreachable: ${queueCheck.detail}` })
  }
  if (app.isTerminating) {
    errors.push({ path: 'process', rule: 'ready:shutting_down', message: 'The process is shutting down.' })
  }
  if (!databaseCheck.ok) {
    errors.push({ path: 'database', rule: 'ready:database', message: `Database unreachable: ${databaseCheck.detail}` })
  }
  if (!migrationsCheck.ok) {
    errors.push({
      path: 'migrations',
      rule: 'ready:migrations',
      message: `${migrationsCheck.detail}. Run the release step: node ace.js migration:run --force`,
    })
  }
  return {
    ready: errors.length === 0,
    checks: { database: databaseCheck, queue: queueCheck, migrations: migrationsCheck },
    errors,
  }
}
