import type { Database } from '@adonisjs/lucid/database'
import { BullMQQueue } from '#queue/bullmq_driver'
import { InProcessQueue, type RequestLoadSignal } from '#queue/in_process_driver'
import type { JobQueue } from '#queue/types'

type Logger = { info(msg: string): void; error(msg: string): void }

/** BullMQ when REDIS_URL is set, the in-process driver otherwise; both keep their jobs in the database first. */
export function createQueue(
  config: {
    redisUrl?: string
    prefix?: string
    leaseMs?: number
    pollMs?: number
    concurrency?: number
    /** This process's HTTP requests, when it serves them and runs jobs (either driver gives way to them). */
    requests?: RequestLoadSignal
  },
  logger: Logger,
  db: Database
): JobQueue {
  const timing = { leaseMs: config.leaseMs, pollMs: config.pollMs }
  // One name in the jobs table whichever the driver, so jobs waiting there survive a change of driver.
  const name = config.prefix ?? 'sportello'
  return config.redisUrl
    ? new BullMQQueue(config.redisUrl, logger, {
        db,
        queueName: 'sportello',
        prefix: name,
        outbox: name,
        concurrency: config.concurrency,
        ...timing,
        yieldTo: config.requests ? { load: config.requests } : undefined,
      })
    : new InProcessQueue(logger, {
        db,
        queue: name,
        ...timing,
        yieldTo: config.requests ? { load: config.requests } : undefined,
      })
}

let queue: JobQueue | undefined

export function setJobQueue(next: JobQueue) {
  queue = next
}

export function jobQueue(): JobQueue {
  if (!queue) throw new Error('Job queue used before boot')
  return queue
}
