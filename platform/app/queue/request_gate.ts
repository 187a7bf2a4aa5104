import type { RequestLoadSignal } from '#queue/in_process_driver'

const NOTHING = () => {}

/**
 * Where a job taken by BullMQ's worker waits before it runs, in a process that also answers HTTP
 * requests (`PROCESS_ROLE=all`): the same rule as the in-process runner's (`yieldTo`), for a driver
 * that takes its jobs from Redis instead of claiming rows. A job starts at once when no request is
 * in flight; otherwise when the last one ends (jobs under way go on); under a load that does not
 * stop for `maxHoldMs` from the job's arrival, the jobs start one at a time.
 *
 * The job stays BullMQ's while it waits: the worker renews its lock, so no other worker takes it.
 */
export class RequestGate {
  #waiting = new Set<() => void>()
  #stopListening: () => void
  /** The end of the job that runs alone past its hold: the next one starts after it. */
  #alone: Promise<void> = Promise.resolve()
  #open = false

  constructor(
    private load: RequestLoadSignal,
    private maxHoldMs = 15_000
  ) {
    // Listening for good: the load arms its quiet-time timer only when someone listens.
    this.#stopListening = load.onIdle(() => this.#wake())
  }

  /** Waits until the job may run; answers what to call when it ends. */
  async enter(): Promise<() => void> {
    const since = Date.now()
    while (!this.#open && this.load.busy()) {
      const left = this.maxHoldMs - (Date.now() - since)
      if (left <= 0) return this.#one()
      await this.#idleOr(left)
    }
    return NOTHING
  }

  /** Lets every job through from now on (the queue is closing: nothing may wait for the load). */
  open() {
    this.#open = true
    this.#stopListening()
    this.#wake()
  }

  #wake() {
    const waiting = [...this.#waiting]
    this.#waiting.clear()
    for (const resume of waiting) resume()
  }

  #idleOr(ms: number) {
    return new Promise<void>((resolve) => {
      const resume = () => {
        clearTimeout(timer)
        this.#waiting.delete(resume)
        resolve()
      }
      const timer = setTimeout(resume, ms)
      this.#waiting.add(resume)
    })
  }

  /** One job at a time past the hold: each starts when the one before it has ended. */
  async #one() {
    const before = this.#alone
    let release = NOTHING
    this.#alone = new Promise<void>((resolve) => (release = resolve))
    await before
    return release
  }
}
