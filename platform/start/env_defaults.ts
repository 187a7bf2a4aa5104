/** The development secrets below: public (they are in this file), so never acceptable in production. */
export const DEVELOPMENT_APP_KEY = 'dev-only-app-key-change-me-in-production'
export const DEVELOPMENT_DATA_KEY = 'c3BvcnRlbGxvLWRldmVsb3BtZW50LWtleS0zMi1ieXQ='
/** The demo's password (README), which the demo also uses for its DOCAREA simulator. */
export const DEMO_PASSWORD = 'Sportello.2026'
/** APP_KEY signs and encrypts cookies: at least 32 characters (e.g. `openssl rand -base64 32`). */
export const MIN_APP_KEY_LENGTH = 32

/**
 * In production every secret must come from the environment: a value this repository publishes
 * (the development keys, the demo password) or an APP_KEY too short to resist guessing stops the
 * boot, each problem naming its variable and what to do.
 */
export function productionSecretProblems(env: NodeJS.ProcessEnv): string[] {
  if (env.NODE_ENV !== 'production') return []
  const problems: string[] = []
  const appKey = env.APP_KEY ?? ''
  if (appKey === DEVELOPMENT_APP_KEY) {
    problems.push('APP_KEY is the development key published in start/env_defaults.ts: set a secret of your own')
  } else if (appKey.length > 0 && appKey.length < MIN_APP_KEY_LENGTH) {
    problems.push(`APP_KEY is too short (${appKey.length} characters): use at least ${MIN_APP_KEY_LENGTH}`)
  }
  const dataKeys = (env.DATA_ENCRYPTION_KEYS ?? '').split(',').map((pair) => pair.trim().split(':')[1] ?? '')
  if (dataKeys.includes(DEVELOPMENT_DATA_KEY)) {
    problems.push(
      'DATA_ENCRYPTION_KEYS holds the development key published in start/env_defaults.ts: generate one with `openssl rand -base64 32`'
    )
  }
  for (const [name, value] of Object.entries(env)) {
    if (/^(DOCAREA_PASSWORD|PAGOPA_KEY|SMS_KEY|IO_KEY)_/.test(name) && value === DEMO_PASSWORD) {
      problems.push(`${name} is the demo password published in the README: set the real one`)
    }
  }
  if (env.SESSION_DRIVER === 'cookie' || env.SESSION_DRIVER === 'memory') {
    problems.push(
      `SESSION_DRIVER=${env.SESSION_DRIVER} cannot end a session at logout or serve several processes: use database or redis`
    )
  }
  return problems
}

/**
 * Embedded defaults for development and tests. Production gets none: there
 * every variable must be set, and Env.create names the missing ones.
 */
export function applyEmbeddedDefaults(env: NodeJS.ProcessEnv) {
  env.NODE_ENV ??= 'development'
  if (env.NODE_ENV === 'production') return

  const isTest = env.NODE_ENV === 'test'
  const defaults: Record<string, string> = {
    PORT: '3333',
    HOST: '0.0.0.0',
    LOG_LEVEL: isTest ? 'error' : 'info',
    APP_KEY: DEVELOPMENT_APP_KEY,
    DB_CONNECTION: 'sqlite',
    SQLITE_PATH: isTest ? 'tmp/test.sqlite3' : 'tmp/sportello.sqlite3',
    STORAGE_PATH: 'storage',
    // Server-side sessions, so that logging out ends them: Redis when there is one, else the database.
    SESSION_DRIVER: env.REDIS_URL ? 'redis' : 'database',
    // A well-known development key: data encrypted with it is not protected.
    DATA_ENCRYPTION_KEYS: `dev1:${DEVELOPMENT_DATA_KEY}`,
  }
  if (!isTest) {
    // The demo's mail goes to the local capture server the web process starts (tmp/mail/*.eml);
    // MAIL_CAPTURE_PORT=0 turns it off (then mail is sent only if SMTP_URL names a server).
    defaults.MAIL_CAPTURE_PORT = '2525'
    // The demo's DOCAREA simulator (0 turns it off), and the password tenant piacenza logs in with.
    defaults.DOCAREA_SIMULATOR_PORT = '2580'
    defaults.DOCAREA_PASSWORD_PIACENZA = DEMO_PASSWORD
    // The demo's pagoPA, SMS and App IO simulators, and the keys tenant piacenza uses with them.
    defaults.GPD_SIMULATOR_PORT = '2590'
    defaults.SMS_SIMULATOR_PORT = '2591'
    defaults.IO_SIMULATOR_PORT = '2592'
    defaults.PAGOPA_KEY_PIACENZA = DEMO_PASSWORD
    defaults.SMS_KEY_PIACENZA = DEMO_PASSWORD
    defaults.IO_KEY_PIACENZA = DEMO_PASSWORD
  }
  for (const [name, value] of Object.entries(defaults)) env[name] ??= value
  // Mail goes to the capture server on whatever port it was given, unless SMTP_URL says otherwise.
  const capture = Number(env.MAIL_CAPTURE_PORT)
  if (!isTest && Number.isInteger(capture) && capture > 0) env.SMTP_URL ??= `smtp://127.0.0.1:${capture}`
}
