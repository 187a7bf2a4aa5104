import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { Secret } from '@adonisjs/core/helpers'
import { defineConfig } from '@adonisjs/core/http'

export const appKey = new Secret(env.get('APP_KEY'))

export const http = defineConfig({
  generateRequestId: true,
  // Behind a reverse proxy (nginx in compose.yaml) the client's address comes from X-Forwarded-For,
  // believed only from the proxies named here (proxy-addr syntax: loopback, 10.0.0.0/8, ...).
  trustProxy: env.get('TRUSTED_PROXIES') ?? 'loopback',
  allowMethodSpoofing: false,
  useAsyncLocalStorage: true,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
