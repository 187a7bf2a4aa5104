/*
 * The long-running process, in the role PROCESS_ROLE names (app/services/infrastructure/process_role.ts):
 * `web` and `all` serve HTTP, `worker` runs the jobs and the schedules without HTTP.
 * SIGTERM stops it gracefully: no new request or job is taken, those in flight finish,
 * then the database and Redis connections close and the process exits with code 0.
 */
import 'reflect-metadata'
import { Ignitor, prettyPrintError } from '@adonisjs/core'
import type { ApplicationService } from '@adonisjs/core/types'
import { APP_ROOT, importer } from './app_root.js'
import { dutiesOf, ProcessRoleError, roleFromEnv, setProcessRole } from '#services/infrastructure/process_role'
import { createIdentifyingServer } from '#services/infrastructure/request_id'

function roleOrExit() {
  try {
    return roleFromEnv()
  } catch (error) {
    if (!(error instanceof ProcessRoleError)) throw error
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
}

const role = roleOrExit()
setProcessRole(role)

/**
 * A signal during the boot (an orchestrator stopping a starting container) waits for the boot to
 * end: terminating half-way would close the database under providers still starting.
 */
function stop(app: ApplicationService) {
  if (app.isReady) return app.terminate()
  return app.ready(() => app.terminate())
}

const ignitor = new Ignitor(APP_ROOT, { importer }).tap((app) => {
  app.booting(async () => {
    await import('#start/env')
  })
  app.listen('SIGTERM', () => stop(app))
  app.listenIf(app.managedByPm2, 'SIGINT', () => stop(app))
})

/** A worker is the application booted and started with no HTTP server: its queue consumers keep it alive. */
async function startWorker() {
  const app = ignitor.createApp('console')
  await app.init()
  await app.boot()
  // As in the web process: a job's stray error is logged, and does not take the worker down.
  await import('#start/process_safety')
  await app.start(() => {})
  const logger = await app.container.make('logger')
  logger.info('started worker: job consumers and schedules')
}

const started = dutiesOf(role).http ? ignitor.httpServer().start(createIdentifyingServer) : startWorker()
started.catch(async (error) => {
  // A configuration a person must fix is said plainly, on one line.
  if (error instanceof ProcessRoleError) process.stderr.write(`${error.message}\n`)
  else await prettyPrintError(error)
  // The HTTP server may already listen when a provider fails to get ready: a failed boot must not stay up.
  process.exit(1)
})
