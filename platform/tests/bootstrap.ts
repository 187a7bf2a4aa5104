import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { sessionApiClient } from '@adonisjs/session/plugins/api_client'
import { authApiClient } from '@adonisjs/auth/plugins/api_client'
import { runFailures } from '#tests/helpers/failure_digest'
import { createIdentifyingServer } from '#services/infrastructure/request_id'

export const plugins: Config['plugins'] = [
  assert(),
  apiClient(),
  pluginAdonisJS(app),
  sessionApiClient(app),
  authApiClient(app),
  runFailures.plugin,
]

/** An Ace command run inside the test process; its failure fails the run's setup. */
async function ace(command: string, args: string[]) {
  const kernel = await app.container.make('ace')
  const ran = await kernel.exec(command, args)
  if (ran.exitCode) throw ran.error ?? new Error(`"${command}" failed`)
}

/**
 * The schema is built once per run, on whichever engine DB_CONNECTION names, and taken down after.
 * Without PostgreSQL's advisory lock: the run owns its throw-away database, and the lock is taken
 * and released on whichever pooled connection is free, which the in-process queue polling beside
 * the migrations can make two different ones ("unable to release database lock").
 */
export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      await ace('migration:run', ['--compact-output', '--disable-locks'])
      return () => ace('migration:reset', ['--compact-output', '--disable-locks'])
    },
  ],
  teardown: [],
}

/**
 * A browser test runs once more after a failure: a loaded CI machine can make a page slower than
 * a wait allows. (Full runs on PostgreSQL used to show a page answered 401 right after its login: an
 * anonymous request still in flight set its cookie over the new session's; answers of an empty
 * session now set no cookie, app/middleware/session_middleware.ts.) A test that fails twice fails
 * the run; one that passed only on its second attempt is named at the end of the run
 * (tests/helpers/failure_digest.ts), so a flake stays visible.
 */
export const BROWSER_RETRIES = 1

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (suite.name === 'browser') {
    suite.onGroup((group) => group.each.retry(BROWSER_RETRIES))
    suite.onTest((test) => test.retry(BROWSER_RETRIES))
  }
  if (['browser', 'functional', 'e2e', 'plugins'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start(createIdentifyingServer))
  }
}
