import { LocalizedError, texts } from '#i18n/catalogue'
import app from '@adonisjs/core/services/app'
import BodyParserMiddleware from '@adonisjs/core/bodyparser_middleware'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * The framework's body parser, with the limits it lacks:
 *  - what a route may receive: JSON everywhere, multipart only on the routes that take files
 *    (`acceptsMultipart`); anything else (a form post, text, XML) is a 415 before it is read. A
 *    cross-site HTML form can only send form-encoded, multipart or text bodies, so this is also
 *    half of the CSRF defence (see docs/security.md);
 *  - how deep a body may nest: the framework deep-clones the body recursively, and JSON nested a
 *    few thousand levels overflowed the stack (a 500, even on the anonymous login). Bodies are
 *    refused past MAX_BODY_DEPTH levels, and the check itself is iterative.
 */
export const MAX_BODY_DEPTH = 64

/** Routes allowed to receive multipart bodies, kept as routes: their groups prefix them after they are declared. */
const multipartRoutes: Array<{ toJSON(): { pattern: string } }> = []
let multipartPatterns: Set<string> | null = null

/** Lets a route receive multipart bodies (the upload routes). */
export function acceptsMultipart(route: { toJSON(): { pattern: string } }) {
  multipartRoutes.push(route)
  multipartPatterns = null
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
