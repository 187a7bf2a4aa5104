/**
 * Waits for a queue kept in two places (the outbox and BullMQ) to be empty. A job moves between
 * them: the relay hands it to BullMQ, and a running job writes its follow-up to the outbox just
 * before it completes. One reading of each place, taken a moment apart, can therefore find both
 * empty while the work is in flight (BullMQ read after the job completed, the outbox before its
 * follow-up was written, or after it was relayed). `read` reads BullMQ first, then the outbox, and
 * answers the jobs found and the newest outbox id: the queue is drained when two readings in a row
 * find nothing and no job was written between them.
 */
export async function untilQuiet(
  read: () => Promise<{ inFlight: number; lastId: number }>,
  pauseMs = 50
): Promise<void> {
  let quietAt: number | null = null
  for (;;) {
    const { inFlight, lastId } = await read()
    if (inFlight === 0) {
      if (quietAt === lastId) return
      quietAt = lastId
      continue
    }
    quietAt = null
    await new Promise((resolve) => setTimeout(resolve, pauseMs))
  }
}
