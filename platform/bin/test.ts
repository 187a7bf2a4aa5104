process.env.NODE_ENV = 'test'

import 'reflect-metadata'
import { delimiter } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ignitor, prettyPrintError } from '@adonisjs/core'
import { configure, processCLIArgs, run } from '@japa/runner'
import { APP_ROOT, importer } from './app_root.js'
import { freePort } from '../start/ports.js'

// The tests' HTTP server takes a free port, before the environment is read, unless PORT names one:
// `npm test` then runs beside `npm start` (port 3333) or another run of the suite.
if (!process.env.PORT) process.env.PORT = String(await freePort(process.env.HOST || '0.0.0.0'))

// The real plugins and the fixture plugin that exercises the SDK from the outside (tests/fixtures/sample_plugins).
process.env.PLUGINS_DIR ??= [
  fileURLToPath(new URL('../../plugins', import.meta.url)),
  fileURLToPath(new URL('../tests/fixtures/sample_plugins', import.meta.url)),
].join(delimiter)

/*
 * Tests tagged @embedded start processes of their own on an SQLite file of their own (the command
 * line, the environment check at boot, a nested run of the suite), whatever database this run uses:
 * `npm test` runs them, and `npm run test:full` leaves them out (--tags=~@embedded) rather than run
 * them a second time unchanged.
 */
new Ignitor(APP_ROOT, { importer })
  .tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
    app.listen('SIGTERM', () => app.terminate())
    app.listenIf(app.managedByPm2, 'SIGINT', () => app.terminate())
  })
  .testRunner()
  .configure(async (app) => {
    const { runnerHooks, ...config } = await import('../tests/bootstrap.js')
    processCLIArgs(process.argv.splice(2))
    configure({
      ...app.rcFile.tests,
      ...config,
      ...{
        setup: runnerHooks.setup,
        teardown: runnerHooks.teardown.concat([() => app.terminate()]),
      },
    })
  })
  // A run whose setup failed (an unreachable database, a failed migration) skips the teardown hooks:
  // the application is terminated here too, or its queue and server would keep the process alive.
  .run(async (app) => {
    try {
      await run()
    } finally {
      await app.terminate()
      const { runFailures } = await import('../tests/helpers/failure_digest.js')
      runFailures.print()
    }
  })
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
