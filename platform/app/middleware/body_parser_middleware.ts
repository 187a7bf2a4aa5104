import { LocalizedError, texts } from '#i18n/catalogue'
import app from '@adonisjs/core/services/app'
import BodyParserMiddleware from '@adonisjs/core/bodyparser_middleware'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import string from '@adonisjs/core/helpers/string'
import { readUploadInto } from '#services/infrastructure/uploads'
import { readableSize } from '#exceptions/handler'

/**
 * The framework's body parser, with the limits it lacks:
 *  - what a route may receive: JSON everywhere, multipart only on the routes that take files
 *    (`acceptsMultipart`); anything else (a form post, text, XML) is a 415 before it is read. A
 *    cross-site HTML form can only send form-encoded, multipart or text bodies, so this is also
 *    half of the CSRF defence (see docs/security.md);
 *  - how deep a body may nest: the framework deep-clones the body recursively, and JSON nested a
 *    few thousand levels overflowed the stack (a 500, even on the anonymous login). Bodies are
 *    refused past MAX_BODY_DEPTH levels, and the check itself is iterative;
 *  - where an uploaded file goes while the request runs: the framework streams every file part
 *    to a file of its own in the system's temporary directory and never removes it, so every
 *    identity document and certificate ever uploaded (accepted or refused) stayed there in clear.
 *    Upload bodies are read into memory instead, within bounds (services/infrastructure/uploads.ts),
 *    and only once the route's own middleware (authentication, tenant, throttle) has let the
 *    request through (`acceptsMultipart`): the only copy written to disk is the encrypted one the
 *    storage keeps.
 */
export const MAX_BODY_DEPTH = 64

interface UploadRoute {
  toJSON(): { pattern: string }
  use(middleware: (ctx: HttpContext, next: NextFn) => unknown): unknown
}

/** Routes allowed to receive multipart bodies, kept as routes: their groups prefix them after they are declared. */
const multipartRoutes: UploadRoute[] = []
let multipartPatterns: Set<string> | null = null

/**
 * Lets a route receive multipart bodies (the upload routes). Their body is read last, after the
 * route's other middleware: an anonymous caller, another tenant's user or a throttled one is
 * answered without a byte of the upload being kept.
 */
export function acceptsMultipart(route: UploadRoute) {
  multipartRoutes.push(route)
  multipartPatterns = null
  route.use(readUpload)
}

/** Largest upload, from the body parser's configuration ("20mb"), and as a person reads it. */
const uploadLimit = app.config.get<string>('bodyparser.multipart.limit')
const uploadBytes = string.bytes.parse(uploadLimit) ?? Number.NaN
if (!(uploadBytes > 0)) throw new Error(`config/bodyparser.ts: multipart.limit "${uploadLimit}" is not a size`)
const uploadLimitText = readableSize(uploadLimit)

/** Reads a multipart body: one file into memory, a few flat fields (`autoProcess: false` keeps the framework from it). */
function readUpload(ctx: HttpContext, next: NextFn) {
  if (ctx.request.multipart?.state !== 'idle') return next()
  return readUploadInto(ctx, { fileBytes: uploadBytes, fields: 10, fieldBytes: 8192 }, uploadLimitText).then(next)
}

function takesMultipart(ctx: HttpContext) {
  multipartPatterns ??= new Set(multipartRoutes.map((route) => route.toJSON().pattern))
  return multipartPatterns.has(ctx.route?.pattern ?? '')
}

/** A body refused before it is parsed or once parsed: answered in the request's language. */
export class BodyRefused extends LocalizedError {}

const tooDeep = () => new BodyRefused(400, texts('http.tooDeep', { max: MAX_BODY_DEPTH }), 'body:depth')

/** Deepest nesting of arrays and objects in a parsed body, stopping as soon as it passes `limit`. */
export function nestingDepth(value: unknown, limit = MAX_BODY_DEPTH): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    const level = depth + 1
    if (level > deepest) deepest = level
    if (deepest > limit) return deepest
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, level])
    }
  }
  return deepest
}

function mediaType(ctx: HttpContext): string {
  return (ctx.request.header('content-type') ?? '').split(';')[0].trim().toLowerCase()
}

/** A body with bytes in it (an empty body, "content-length: 0", is no body whatever its type). */
function carriesBody(ctx: HttpContext) {
  const length = ctx.request.header('content-length')
  return ctx.request.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0')
}

function isJson(type: string) {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}

export default class GuardedBodyParserMiddleware {
  #inner = new BodyParserMiddleware(app.config.get('bodyparser'), app.experimentalFlags)

  async handle(ctx: HttpContext, next: NextFn) {
    const method = ctx.request.method()
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) && carriesBody(ctx)) {
      const type = mediaType(ctx)
      const upload = takesMultipart(ctx)
      if (!isJson(type) && !(upload && type === 'multipart/form-data')) {
        const expected = upload ? 'multipart/form-data' : 'application/json'
        throw new BodyRefused(
          415,
          type
            ? texts('http.mediaType', { type: type.slice(0, 80), expected })
            : texts('http.mediaTypeMissing', { expected }),
          'body:type'
        )
      }
    }
    let parsed = false
    try {
      return await this.#inner.handle(ctx, () => {
        parsed = true
        if (nestingDepth(ctx.request.body()) > MAX_BODY_DEPTH) throw tooDeep()
        return next()
      })
    } catch (error) {
      // The framework's own recursive copy of a parsed body is what overflows on deep input.
      if (!parsed && error instanceof RangeError) throw tooDeep()
      throw error
    }
  }
}
