import { BullMQQueue, type BullMQOptions } from '#queue/bullmq_driver'
import { InProcessQueue } from '#queue/in_process_driver'
import type { JobQueue } from '#queue/types'

type Logger = { info(msg: string): void; error(msg: string): void }

/** BullMQ when REDIS_URL is set, the in-process driver otherwise. */
export function createQueue(config: { redisUrl?: string; prefix?: string } & BullMQOptions, logger: Logger): JobQueue {
  return config.redisUrl
    ? new BullMQQueue(config.redisUrl, logger, 'sportello', config.prefix ?? 'sportello', {
        concurrency: config.concurrency,
        lockMs: config.lockMs,
      })
    : new InProcessQueue(logger)
}

let queue: JobQueue | undefined

export function setJobQueue(next: JobQueue) {
  queue = next
}

export function jobQueue(): JobQueue {
  if (!queue) throw new Error('Job queue used before boot')
  return queue
}
