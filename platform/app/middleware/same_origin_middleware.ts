import { currentLanguage, t } from '#i18n/catalogue'
import env from '#start/env'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * CSRF protection for the cookie session: a request that changes state must come from a page of
 * this site. Browsers say where a request comes from: `Origin` on every POST/PUT/PATCH/DELETE
 * (and `Sec-Fetch-Site`); a request whose Origin is another site, or "null", or whose
 * Sec-Fetch-Site is "cross-site"/"same-site", is refused with 403 before its body is read. A
 * request with neither header does not come from a browser page (curl, the CLI, server-to-server),
 * so it cannot carry a victim's cookies without their knowledge.
 *
 * The other half is in the body parser: JSON endpoints take only application/json, which an HTML
 * form cannot send and a cross-site script cannot send without a CORS preflight, which this
 * server never grants. Together they replace CSRF tokens: nothing for the portal to fetch, keep
 * and send (docs/security.md has the reasoning).
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** This site's origin: APP_URL when set (behind a proxy, what the browser sees), else the request's own. */
function ownOrigin(ctx: HttpContext): string {
  const configured = env.get('APP_URL')
  if (configured && URL.canParse(configured)) return new URL(configured).origin
  return `${ctx.request.protocol()}://${ctx.request.host()}`
}

export function isCrossSite(ctx: HttpContext): boolean {
  const origin = ctx.request.header('origin')
  if (origin !== undefined) return origin !== ownOrigin(ctx)
  const site = ctx.request.header('sec-fetch-site')
  return site !== undefined && site !== 'same-origin' && site !== 'none'
}

export default class SameOriginMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    if (!SAFE_METHODS.has(ctx.request.method()) && isCrossSite(ctx)) {
      return ctx.response.forbidden({
        errors: [
          {
            rule: 'csrf',
            message: t(currentLanguage(), 'http.crossSite'),
          },
        ],
      })
    }
    return next()
  }
}
