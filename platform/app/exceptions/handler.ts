import app from '@adonisjs/core/services/app'
import { HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import bodyParserConfig from '#config/bodyparser'
import { TooManyAttempts, waitMessage } from '#services/infrastructure/throttle'

/** "20mb" → "20 MB", as a person writes it. */
function readableSize(limit: string | number | undefined): string {
  if (typeof limit === 'number') return `${Math.round(limit / 1048576)} MB`
  const match = /^(\d+(?:\.\d+)?)\s*(kb|mb|gb)$/i.exec(String(limit ?? ''))
  return match ? `${match[1]} ${match[2].toUpperCase()}` : String(limit ?? '')
}

/**
 * Every error leaves as JSON `{errors: [{message, ...}]}` with the right
 * status; details of unexpected errors stay in the log, not in the answer.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction

  async handle(error: unknown, ctx: HttpContext) {
    const err = error as { status?: number; code?: string; message?: string; messages?: unknown }
    if (err.code === 'E_VALIDATION_ERROR') {
      return ctx.response.status(422).send({ errors: err.messages })
    }
    if (err.code === 'E_UNAUTHORIZED_ACCESS') {
      return ctx.response.status(401).send({ errors: [{ message: 'Accesso richiesto / login required' }] })
    }
    if (err.code === 'E_INVALID_CREDENTIALS') {
      return ctx.response.status(400).send({ errors: [{ message: 'Credenziali non valide / invalid credentials' }] })
    }
    if (err.code === 'E_AUTHORIZATION_FAILURE') {
      return ctx.response
        .status(403)
        .send({ errors: [{ message: 'Operazione non consentita al tuo ruolo / not allowed for your role' }] })
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
      const message =
        error instanceof TooManyAttempts ? error.message : waitMessage('Troppe richieste', 'too many requests', seconds)
      return ctx.response.status(429).send({ errors: [{ rule: 'throttle', message }] })
    }
    if (err.code === 'E_ROUTE_NOT_FOUND') {
      return ctx.response.status(404).send({ errors: [{ message: 'Risorsa non trovata / not found' }] })
    }
    // The body parser's own messages ("request entity too large", a JSON parser
    // position) do not tell a person what to do; these do.
    if (err.code === 'E_REQUEST_ENTITY_TOO_LARGE') {
      // The limit of the kind of body that was sent: files travel as multipart, the rest as JSON.
      const multipart = ctx.request.is(['multipart/form-data']) === 'multipart/form-data'
      const limit = readableSize(multipart ? bodyParserConfig.multipart.limit : bodyParserConfig.json.limit)
      return ctx.response.status(413).send({
        errors: [
          { message: `Richiesta troppo grande: il limite è ${limit} / request body too large: the limit is ${limit}` },
        ],
      })
    }
    if (error instanceof SyntaxError && err.status === 400) {
      return ctx.response.status(400).send({
        errors: [{ message: 'Il corpo della richiesta non è JSON valido / the request body is not valid JSON' }],
      })
    }
    if (err.status === 422 && err.message === 'Invalid JSON, only supports object and array') {
      return ctx.response.status(422).send({
        errors: [
          { message: 'Il corpo della richiesta deve essere un oggetto JSON / the request body must be a JSON object' },
        ],
      })
    }
    if (err.status && err.status >= 400 && err.status < 500) {
      return ctx.response.status(err.status).send({ errors: [{ message: err.message }] })
    }
    ctx.logger.error({ err: error }, 'unhandled error')
    return ctx.response.status(500).send({
      errors: [{ message: 'Errore interno: riprova più tardi / internal error, please retry later' }],
    })
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
