import logger from '@adonisjs/core/services/logger'
import { jobQueue } from '#queue/queue_factory'
import type { EnqueueOptions } from '#queue/types'
import type { Transaction } from '#sdk/types'

/**
 * Work that follows a change (an event's job subscribers, a plugin's job) is enqueued here and
 * only here. With a transaction it is enqueued once the transaction commits, so a rolled-back
 * change leaves no job behind; the queue is looked up first, so a process without one fails the
 * change rather than losing its follow-up.
 *
 * TRANSACTION HANDOFF: when the queue writes jobs in the caller's transaction (an outbox), this is
 * the one place to change: enqueue at once with `{ ...options, client: trx }` and drop the
 * after-commit hook, so the job and the state it follows commit together.
 */
export async function enqueueFollowUp(
  trx: Transaction | null,
  name: string,
  payload: unknown,
  options: EnqueueOptions
): Promise<void> {
  const queue = queueFor(name)
  if (!trx) {
    await queue.enqueue(name, payload, options)
    return
  }
  trx.after('commit', async () => {
    try {
      await queue.enqueue(name, payload, options)
    } catch (error) {
      // Lucid swallows errors of after-commit hooks: say it loudly, naming the job.
      logger.error({ err: error }, `follow-up job ${name} (${options.jobId}) could not be enqueued after commit`)
    }
  })
}

/** A process without a job queue (a console command today) cannot take follow-up work: it says so. */
function queueFor(name: string) {
  try {
    return jobQueue()
  } catch {
    throw new Error(
      `This process has no job queue, so the follow-up job "${name}" cannot be enqueued; the change is not made. Run it from the web process (or one with a queue).`
    )
  }
}
