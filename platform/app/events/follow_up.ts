import { jobQueue } from '#queue/queue_factory'
import type { EnqueueOptions } from '#queue/types'
import type { TenantRef } from '#services/infrastructure/request_context'
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

/**
 * Many follow-ups of one kind in the caller's transaction, in multi-row writes where the queue
 * offers them (one `enqueue` each otherwise); each keeps its own id, so repeating is harmless.
 */
export async function enqueueFollowUps(
  trx: Transaction,
  name: string,
  jobs: Array<{ payload: unknown; jobId: string }>,
  options: { tenant?: TenantRef }
): Promise<void> {
  const queue = jobQueue()
  if (queue.enqueueMany) {
    await queue.enqueueMany(name, jobs, { ...options, client: trx })
    return
  }
  for (const job of jobs) await queue.enqueue(name, job.payload, { ...options, jobId: job.jobId, client: trx })
}
