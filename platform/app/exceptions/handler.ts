import app from '@adonisjs/core/services/app'
import { HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import bodyParserConfig from '#config/bodyparser'
import { TooManyAttempts, waitMessage } from '#services/infrastructure/throttle'
import { validationErrors } from '#plugins/plugin_http'
import { LocalizedError, languageOf, t } from '#i18n/catalogue'

/** "20mb" → "20 MB", as a person writes it. */
export function readableSize(limit: string | number | undefined): string {
  if (typeof limit === 'number') return `${Math.round(limit / 1048576)} MB`
  const match = /^(\d+(?:\.\d+)?)\s*(kb|mb|gb)$/i.exec(String(limit ?? ''))
  return match ? `${match[1]} ${match[2].toUpperCase()}` : String(limit ?? '')
}

/**
 * Every error leaves as JSON `{errors: [{message, ...}]}` with the right
 * status; details of unexpected errors stay in the log, not in the answer.
 */
/** An error of another kind that carries both languages the same way (a settings error read while answering). */
function isLocalized(error: unknown): boolean {
  const e = error as { status?: unknown; messages?: { it?: unknown; en?: unknown } } | null
  return (
    typeof e?.status === 'number' &&
    typeof e.messages?.it === 'string' &&
    typeof e.messages?.en === 'string' &&
    e.status >= 400 &&
    e.status < 500
  )
}

/**
 * The answer to an unexpected error: no detail of it (that goes to the log), only the request's
 * reference (its X-Request-Id, see services/infrastructure/request_id.ts) for the reader to quote.
 */
export function internalErrorBody(ctx: HttpContext) {
  const reference = ctx.request.id() ?? ''
  return { errors: [{ message: t(languageOf(ctx.request), 'http.internal', { reference }) }] }
}

export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction

  async handle(error: unknown, ctx: HttpContext) {
    const err = error as { status?: number; code?: string; message?: string; messages?: unknown }
    // The error may have left the request's context: its language is read from the request itself.
    const lang = languageOf(ctx.request)
    // A refusal raised with both languages (a service's check, a middleware): answered in the request's.
    if (error instanceof LocalizedError || isLocalized(error)) {
      const e = error as LocalizedError
      const status = e.status >= 400 && e.status < 600 ? e.status : 400
      return ctx.response.status(status).send({
        errors: [
          {
            ...(e.path !== undefined ? { path: e.path } : {}),
            ...(e.rule ? { rule: e.rule } : {}),
            message: e.messages[lang],
          },
        ],
      })
    }
    // VineJS names a field by its dotted path ("items.0.name"): the error shape names it by JSON Pointer.
    if (err.code === 'E_VALIDATION_ERROR') {
      return ctx.response.status(422).send({ errors: validationErrors(error, '') ?? [] })
    }
    if (err.code === 'E_UNAUTHORIZED_ACCESS') {
      return ctx.response.status(401).send({ errors: [{ message: t(lang, 'http.loginRequired') }] })
    }
    if (err.code === 'E_INVALID_CREDENTIALS') {
      return ctx.response.status(400).send({ errors: [{ message: t(lang, 'http.invalidCredentials') }] })
    }
    if (err.code === 'E_AUTHORIZATION_FAILURE') {
      return ctx.response.status(403).send({ errors: [{ message: t(lang, 'http.forbiddenRole') }] })
    }
    // Throttled: how long to wait, in the answer and in Retry-After (login and the costly endpoints).
    if (err.code === 'E_TOO_MANY_REQUESTS' || error instanceof TooManyAttempts) {
      const seconds = Math.max(
        1,
        Math.ceil(
          error instanceof TooManyAttempts
            ? error.retryAfterSeconds
            : ((error as { response?: { availableIn?: number } }).response?.availableIn ?? 60)
        )
      )
      ctx.response.header('retry-after', String(seconds))
      const message = t(lang, error instanceof TooManyAttempts ? 'http.tooManyLogins' : 'http.tooManyRequests', {
        wait: waitMessage(lang, seconds),
      })
      return ctx.response.status(429).send({ errors: [{ rule: 'throttle', message }] })
    }
    if (err.code === 'E_ROUTE_NOT_FOUND') {
      return ctx.response.status(404).send({ errors: [{ message: t(lang, 'http.notFound') }] })
    }
    // The body parser's own messages ("request entity too large", a JSON parser
    // position) do not tell a person what to do; these do.
    if (err.code === 'E_REQUEST_ENTITY_TOO_LARGE') {
      // Only JSON bodies reach the framework's parser: uploads are read and refused by services/infrastructure/uploads.ts.
      const limit = readableSize(bodyParserConfig.json.limit)
      return ctx.response.status(413).send({
        errors: [{ message: t(lang, 'http.tooLarge', { limit }) }],
      })
    }
    if (error instanceof SyntaxError && err.status === 400) {
      return ctx.response.status(400).send({
        errors: [{ message: t(lang, 'http.invalidJson') }],
      })
    }
    if (err.status === 422 && err.message === 'Invalid JSON, only supports object and array') {
      return ctx.response.status(422).send({
        errors: [{ message: t(lang, 'http.notAnObject') }],
      })
    }
    if (err.status && err.status >= 400 && err.status < 500) {
      return ctx.response.status(err.status).send({ errors: [{ message: err.message }] })
    }
    ctx.logger.error({ err: error }, 'unhandled error')
    return ctx.response.status(500).send(internalErrorBody(ctx))
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
