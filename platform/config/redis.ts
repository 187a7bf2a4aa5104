import env from '#start/env'
import { defineConfig } from '@adonisjs/redis'
import type { InferConnections } from '@adonisjs/redis/types'

/**
 * The Redis connection sessions and rate limits use when REDIS_URL is set (the job queue opens
 * its own, app/queue/bullmq_driver.ts). Without REDIS_URL nothing connects: connections are
 * opened on first use, and nothing uses this one.
 */
function fromUrl(value: string | undefined) {
  const url = new URL(value ?? 'redis://127.0.0.1:6379/0')
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(url.pathname.slice(1) || 0),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  }
}

const redisConfig = defineConfig({
  connection: 'main',
  connections: {
    main: {
      ...fromUrl(env.get('REDIS_URL')),
      keyPrefix: `${env.get('QUEUE_PREFIX') ?? 'sportello'}:`,
      lazyConnect: true,
      retryStrategy: (times: number) => (times > 10 ? null : times * 50),
    },
  },
})

export default redisConfig

declare module '@adonisjs/redis/types' {
  export interface RedisConnections extends InferConnections<typeof redisConfig> {}
}
