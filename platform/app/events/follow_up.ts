import { jobQueue } from '#queue/queue_factory'
import type { EnqueueOptions } from '#queue/types'
import type { Transaction } from '#sdk/types'

/**
 * Work that follows a change (an event's job subscribers, a plugin's job) is enqueued here and
 * only here. With a transaction the job is written in it (the queue's jobs are rows of the
 * database), so the job exists if and only if the change committed: a rolled-back change leaves
 * no job behind, and a crash right after the commit loses none. Every process has a queue to
 * write to (commands included); only worker processes run the jobs.
 */
export async function enqueueFollowUp(
  trx: Transaction | null,
  name: string,
  payload: unknown,
  options: EnqueueOptions
): Promise<void> {
  await jobQueue().enqueue(name, payload, trx ? { ...options, client: trx } : options)
}
