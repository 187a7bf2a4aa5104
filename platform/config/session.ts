import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'
import { withTestClientSessions } from '#services/infrastructure/session_test_seam'
import { touchingAtMostEveryMinute } from '#services/infrastructure/session_touch'

/**
 * Sessions live on the server (the database by default, Redis when REDIS_URL is set): the cookie
 * holds only a signed id, so logging out, or disabling the user, ends the session wherever the
 * cookie was copied to. The cookie store, which keeps the session in the cookie itself and so
 * cannot be revoked, stays available for nothing but local experiments (refused in production).
 */
// An unchanged session's expiry is renewed at most once a minute, not written at every request.
const database = touchingAtMostEveryMinute(stores.database({ tableName: 'sessions' }))
const redis = touchingAtMostEveryMinute(stores.redis({ connection: 'main' }))

/** The session cookie's name (the session middleware leaves it off an empty session's answers). */
export const SESSION_COOKIE = 'sportello-session'

const sessionConfig = defineConfig({
  enabled: true,
  cookieName: SESSION_COOKIE,
  clearWithBrowser: false,
  age: '2h',
  cookie: { path: '/', httpOnly: true, secure: app.inProduction, sameSite: 'lax' },
  store: env.get('SESSION_DRIVER'),
  stores: {
    cookie: stores.cookie(),
    // Tests log users in through the API client, which writes its sessions where the framework's
    // test helpers look (memory); the server keeps using the real store for everything else.
    database: app.inTest ? withTestClientSessions(database) : database,
    redis: app.inTest ? withTestClientSessions(redis) : redis,
  },
})

export default sessionConfig
