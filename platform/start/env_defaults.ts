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
    APP_KEY: 'dev-only-app-key-change-me-in-production',
    DB_CONNECTION: 'sqlite',
    SQLITE_PATH: isTest ? 'tmp/test.sqlite3' : 'tmp/sportello.sqlite3',
    SESSION_DRIVER: isTest ? 'memory' : 'cookie',
    // A well-known development key: data encrypted with it is not protected.
    DATA_ENCRYPTION_KEYS: 'dev1:c3BvcnRlbGxvLWRldmVsb3BtZW50LWtleS0zMi1ieXQ=',
  }
  if (!isTest) {
    // The demo's mail goes to the local capture server the web process starts (tmp/mail/*.eml);
    // MAIL_CAPTURE_PORT=0 turns it off (then mail is sent only if SMTP_URL names a server).
    defaults.MAIL_CAPTURE_PORT = '2525'
    // The demo's DOCAREA simulator (0 turns it off), and the password tenant piacenza logs in with.
    defaults.DOCAREA_SIMULATOR_PORT = '2580'
    defaults.DOCAREA_PASSWORD_PIACENZA = 'Sportello.2026'
  }
  for (const [name, value] of Object.entries(defaults)) env[name] ??= value
  // Mail goes to the capture server on whatever port it was given, unless SMTP_URL says otherwise.
  const capture = Number(env.MAIL_CAPTURE_PORT)
  if (!isTest && Number.isInteger(capture) && capture > 0) env.SMTP_URL ??= `smtp://127.0.0.1:${capture}`
}
