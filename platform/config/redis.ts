import env from '#start/env'
import { defineConfig } from '@adonisjs/redis'
import type { InferConnections } from '@adonisjs/redis/types'
import { redisOptionsOf } from '#services/infrastructure/redis_url'

/**
 * The Redis connection sessions and rate limits use when REDIS_URL is set (the job queue opens
 * its own, app/queue/bullmq_driver.ts). Without REDIS_URL nothing connects: connections are
 * opened on first use, and nothing uses this one.
 */
const redisConfig = defineConfig({
  connection: 'main',
  connections: {
    main: {
      ...redisOptionsOf(env.get('REDIS_URL') ?? 'redis://127.0.0.1:6379/0'),
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
