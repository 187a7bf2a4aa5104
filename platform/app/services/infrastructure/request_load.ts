/**
 * How many HTTP requests this process is answering now. The in-process job runner reads it to give
 * way to people waiting for an answer (`InProcessQueue`, option `yieldTo`).
 *
 * A request counts from the first middleware until its handler has ended. A request still in the
 * socket or being parsed is not counted yet, so between two answers of a busy moment the count
 * touches zero for an instant: the load stays busy until it has been zero for `quietMs`, and only
 * then are the idle listeners called.
 */
export class RequestLoad {
  #inFlight = 0
  #lastEnd = 0
  #quietMs: number
  #idle = new Set<() => void>()
  #timer: NodeJS.Timeout | undefined

  constructor(options: { quietMs?: number } = {}) {
    this.#quietMs = options.quietMs ?? 50
  }

  begin() {
    this.#inFlight++
  }

  end() {
    this.#inFlight = Math.max(0, this.#inFlight - 1)
    if (this.#inFlight > 0) return
    this.#lastEnd = Date.now()
    this.#arm(this.#quietMs)
  }

  busy() {
    return this.#inFlight > 0 || Date.now() - this.#lastEnd < this.#quietMs
  }

  /** Calls `listener` every time the load becomes quiet; answers a function that stops it. */
  onIdle(listener: () => void) {
    this.#idle.add(listener)
    return () => this.#idle.delete(listener)
  }

  /** One timer at a time: when it fires early (a request came and went meanwhile) it waits the rest. */
  #arm(ms: number) {
    if (this.#timer || this.#idle.size === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (this.#inFlight > 0) return // its end arms the timer again
      const left = this.#quietMs - (Date.now() - this.#lastEnd)
      if (left > 0) return this.#arm(left)
      for (const listener of this.#idle) listener()
    }, ms)
    this.#timer.unref()
  }
}

const processLoad = new RequestLoad()

/** This process's requests in flight (counted by `RequestLoadMiddleware`). */
export function requestLoad() {
  return processLoad
}
