/**
 * What the process does with an error nobody caught. A single request, stream or job must never
 * take the web process down (every citizen would lose the service), so the usual suspects, errors
 * that belong to one socket, one response or one stream, are logged and the process keeps
 * serving. Anything else means the process may be in a state nobody planned for: it is logged as
 * fatal and the application shuts down gracefully (requests in flight finish), exit code 1, so
 * that the process manager starts a clean one.
 */
export interface SafetyLogger {
  error(obj: unknown, msg?: string): void
  fatal(obj: unknown, msg?: string): void
}

/** Error codes that concern one connection, response or stream, not the process. */
const REQUEST_SCOPED = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_HEADERS_SENT',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_HTTP_INVALID_STATUS_CODE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_STREAM_CANNOT_PIPE',
  'ERR_STREAM_ALREADY_FINISHED',
])

export function isRequestScoped(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && REQUEST_SCOPED.has(code)
}

export type SafetyVerdict = 'continue' | 'shutdown'

/**
 * The policy, apart from process.on so that it can be tested: a rejected promise nobody awaited is
 * an error of the code path that forgot it, logged, never fatal; an uncaught exception is fatal
 * unless it belongs to one request.
 */
export function judge(kind: 'uncaughtException' | 'unhandledRejection', error: unknown): SafetyVerdict {
  if (kind === 'unhandledRejection') return 'continue'
  return isRequestScoped(error) ? 'continue' : 'shutdown'
}

let installed = false

export function installProcessSafety(logger: SafetyLogger, shutdown: () => Promise<unknown> | unknown) {
  if (installed) return
  installed = true
  let stopping = false
  const handle = (kind: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    if (judge(kind, error) === 'continue') {
      logger.error({ err: error }, `${kind}: logged, the process keeps serving`)
      return
    }
    logger.fatal({ err: error }, `${kind}: the process stops gracefully and is restarted by its manager`)
    if (stopping) return
    stopping = true
    process.exitCode = 1
    // A shutdown that hangs must not keep a broken process alive.
    setTimeout(() => process.exit(1), 10_000).unref()
    Promise.resolve()
      .then(shutdown)
      .catch(() => process.exit(1))
  }
  process.on('uncaughtException', handle('uncaughtException'))
  process.on('unhandledRejection', handle('unhandledRejection'))
}
