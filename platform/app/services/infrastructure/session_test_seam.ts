import { configProvider } from '@adonisjs/core'
import type { ConfigProvider } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'
import type {
  ResolvedSessionConfig,
  SessionConfig,
  SessionData,
  SessionStoreContract,
  SessionStoreFactory,
} from '@adonisjs/session/types'

/**
 * Test environment only (config/session.ts). The framework's API test client (`loginAs`)
 * writes the sessions it fakes into the in-memory store; this store reads those first and
 * everything else from the real one (database or Redis), so the suite runs on the store
 * production uses while a test may still skip the login form.
 */
class TestClientAwareStore implements SessionStoreContract {
  constructor(
    private readonly real: SessionStoreContract,
    private readonly client: SessionStoreContract
  ) {}

  async read(sessionId: string): Promise<SessionData | null> {
    return (await this.client.read(sessionId)) ?? this.real.read(sessionId)
  }

  async write(sessionId: string, values: SessionData): Promise<void> {
    if (await this.client.read(sessionId)) return this.client.write(sessionId, values)
    return this.real.write(sessionId, values)
  }

  async destroy(sessionId: string): Promise<void> {
    await this.client.destroy(sessionId)
    await this.real.destroy(sessionId)
  }

  async touch(sessionId: string): Promise<void> {
    if (await this.client.read(sessionId)) return this.client.touch(sessionId)
    return this.real.touch(sessionId)
  }
}

export function withTestClientSessions(
  provider: ConfigProvider<SessionStoreFactory>
): ConfigProvider<SessionStoreFactory> {
  return configProvider.create(async (app) => {
    const real = await provider.resolver(app)
    return (ctx: HttpContext, config: SessionConfig) => {
      const memory = (config as ResolvedSessionConfig).stores.memory
      return new TestClientAwareStore(real(ctx, config), memory(ctx, config))
    }
  })
}
