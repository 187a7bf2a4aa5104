import { currentLanguage, t } from '#i18n/catalogue'
import { readFile } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { HttpRouterService } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'

/** The citizen portal (platform/web), built by `npm run build:web` into web/dist. */
const DIST = app.makePath('web', 'dist')
const ASSETS = join(DIST, 'assets')
/** Files served as they are, not built: the demo tenants' logo (platform/public/demo/). */
const STATIC = app.makePath('public')

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
}

async function sendIndex({ response }: HttpContext) {
  try {
    const html = await readFile(join(DIST, 'index.html'))
    // index.html names the hashed bundles of the current build, so it must never be cached.
    response.header('cache-control', 'no-cache')
    response.header('content-type', 'text/html; charset=utf-8')
    return response.send(html)
  } catch {
    return response.status(503).send(t(currentLanguage(), 'web.portalNotBuilt'))
  }
}

/** A file under `root`, with a known type: "..", encoded or not, cannot escape it. */
async function sendFile({ params, response }: HttpContext, root: string, cacheControl: string) {
  const parts: string[] = Array.isArray(params['*']) ? params['*'] : []
  const type = TYPES[extname(parts.at(-1) ?? '').toLowerCase()]
  const file = resolve(root, ...parts)
  if (!type || !file.startsWith(root + sep) || parts.some((p) => p === '..' || p.includes('\\') || p.includes('\0'))) {
    return response.notFound('Not found')
  }
  try {
    const body = await readFile(file)
    response.header('cache-control', cacheControl)
    response.header('content-type', type)
    // An SVG opened on its own is a document: it may show, never run scripts or load anything.
    if (type === TYPES['.svg'])
      response.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    response.header('x-content-type-options', 'nosniff')
    return response.send(body)
  } catch {
    return response.notFound('Not found')
  }
}

// Asset names carry a content hash: a new build means new names, so caching them for long is safe.
const sendAsset = (ctx: HttpContext) => sendFile(ctx, ASSETS, 'public, max-age=31536000, immutable')
// Static files keep their names: cached for a day.
const sendStatic = (ctx: HttpContext) => sendFile(ctx, STATIC, 'public, max-age=86400')

/**
 * The service worker and the web app manifest the build writes beside index.html (vite.config.ts).
 * The worker lives at the root so that its scope is the whole portal; like index.html it names the
 * current build's files, so the browser must always ask for it again.
 */
async function sendBuilt({ request, response }: HttpContext) {
  const name = request.url() === '/sw.js' ? 'sw.js' : 'manifest.webmanifest'
  try {
    const body = await readFile(join(DIST, name))
    response.header('cache-control', 'no-cache')
    response.header('content-type', TYPES[extname(name)])
    response.header('x-content-type-options', 'nosniff')
    return response.send(body)
  } catch {
    return response.notFound('Not found')
  }
}

let registered = false

/**
 * Idempotent: start/routes.ts mounts the portal, and the browser suite calls it too so that it runs
 * whatever the route file looks like; the second call is a no-op instead of a duplicate route.
 */
export function registerWebRoutes(router: HttpRouterService) {
  if (registered) return
  registered = true
  router.get('/', sendIndex)
  router.get('/portale/*', sendIndex)
  // A page's address in path form (a link without its `#`): the portal, which moves it to its hash
  // route (web/src/app/deep_link.ts). The service worker does the same once installed.
  router.get('/t/*', sendIndex)
  router.get('/piattaforma/*', sendIndex)
  router.get('/sw.js', sendBuilt)
  router.get('/manifest.webmanifest', sendBuilt)
  router.get('/assets/*', sendAsset)
  router.get('/static/*', sendStatic)
}
