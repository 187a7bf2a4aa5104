import { readFile } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { HttpRouterService } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'

/** The citizen portal (platform/web), built by `npm run build:web` into web/dist. */
const DIST = app.makePath('web', 'dist')
const ASSETS = join(DIST, 'assets')

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
}

const NOT_BUILT = 'Portale non compilato: eseguire "npm run build:web". / Portal not built: run "npm run build:web".'

async function sendIndex({ response }: HttpContext) {
  try {
    const html = await readFile(join(DIST, 'index.html'))
    // index.html names the hashed bundles of the current build, so it must never be cached.
    response.header('cache-control', 'no-cache')
    response.header('content-type', 'text/html; charset=utf-8')
    return response.send(html)
  } catch {
    return response.status(503).send(NOT_BUILT)
  }
}

async function sendAsset({ params, response }: HttpContext) {
  const parts: string[] = Array.isArray(params['*']) ? params['*'] : []
  const type = TYPES[extname(parts.at(-1) ?? '').toLowerCase()]
  const file = resolve(ASSETS, ...parts)
  // Only files inside web/dist/assets with a known type: "..", encoded or not, cannot escape it.
  if (
    !type ||
    !file.startsWith(ASSETS + sep) ||
    parts.some((p) => p === '..' || p.includes('\\') || p.includes('\0'))
  ) {
    return response.notFound('Not found')
  }
  try {
    const body = await readFile(file)
    // Asset names carry a content hash: a new build means new names, so caching them for long is safe.
    response.header('cache-control', 'public, max-age=31536000, immutable')
    response.header('content-type', type)
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
  router.get('/assets/*', sendAsset)
}
