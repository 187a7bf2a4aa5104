import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { Secret } from '@adonisjs/core/helpers'
import { defineConfig } from '@adonisjs/core/http'
import proxyAddr from 'proxy-addr'

export const appKey = new Secret(env.get('APP_KEY'))

/**
 * Whose X-Forwarded-For is believed: the reverse proxies in front of the app (TRUSTED_PROXIES, a
 * comma-separated list of addresses or CIDR ranges, or "loopback" by default). Everyone else's is
 * ignored, so a client cannot pick the address its login attempts are counted under; and behind a
 * proxy that is listed, each citizen counts as themselves, not as the proxy.
 */
const trustedProxies = (env.get('TRUSTED_PROXIES') ?? 'loopback')
  .split(',')
  .map((entry) => entry.trim())
  .filter(Boolean)

export const http = defineConfig({
  // Every server of the app names its requests first (services/infrastructure/request_id.ts);
  // the framework's own id only names a request that reaches it without one.
  generateRequestId: true,
  trustProxy: proxyAddr.compile(trustedProxies),
  allowMethodSpoofing: false,
  // The request's context lives in RequestContext (services/infrastructure/request_context.ts):
  // a second storage would add its own work to every promise.
  useAsyncLocalStorage: false,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
