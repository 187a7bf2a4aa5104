import { configProvider } from '@adonisjs/core'
import type { ConfigProvider } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'
import type { SessionConfig, SessionData, SessionStoreContract, SessionStoreFactory } from '@adonisjs/session/types'

/**
 * A session read and left unchanged is "touched" by the framework at the end of every request: its
 * expiry moved two hours on, one more write per request (on SQLite a commit, with its sync, on the
 * event loop). Here a session is touched at most once a minute by each process; a change to it
 * (login, logout, anything put in it) is written at once as before. The cost is that a session
 * idle for its whole age expires at most a minute earlier than it would have.
 */
export const TOUCH_EVERY_MS = 60_000
/** Sessions remembered per process; past it the oldest are forgotten (and touched at their next request). */
const MAX_REMEMBERED = 20_000

const lastWritten = new Map<string, number>()

function remember(sessionId: string, at: number) {
  lastWritten.delete(sessionId)
  if (lastWritten.size >= MAX_REMEMBERED) lastWritten.delete(lastWritten.keys().next().value as string)
  lastWritten.set(sessionId, at)
}

export class SparingTouchStore implements SessionStoreContract {
  constructor(
    private readonly store: SessionStoreContract,
    private readonly clock: () => number = Date.now
  ) {}

  read(sessionId: string): Promise<SessionData | null> | SessionData | null {
    return this.store.read(sessionId)
  }

  async write(sessionId: string, values: SessionData): Promise<void> {
    await this.store.write(sessionId, values)
    remember(sessionId, this.clock())
  }

  async destroy(sessionId: string): Promise<void> {
    lastWritten.delete(sessionId)
    await this.store.destroy(sessionId)
  }

  async touch(sessionId: string): Promise<void> {
    const now = this.clock()
    const last = lastWritten.get(sessionId)
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return
    await this.store.touch(sessionId)
    remember(sessionId, now)
  }
}

/** The store `provider` makes, touching each session at most once a minute per process. */
export function touchingAtMostEveryMinute(
  provider: ConfigProvider<SessionStoreFactory>
): ConfigProvider<SessionStoreFactory> {
  return configProvider.create(async (app) => {
    const make = await provider.resolver(app)
    return (ctx: HttpContext, config: SessionConfig) => new SparingTouchStore(make(ctx, config))
  })
}
