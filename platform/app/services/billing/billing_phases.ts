/**
 * Where a monthly run spends its time: `collectRun` and the PostgreSQL batch mark the end of each
 * phase (the plugin's charges, the payers read, each kind of write, the commits) and, when a
 * recorder is set, hand it the milliseconds since the previous mark. The billing bench sets one to
 * print the run's time by phase; nothing else does, and unset it costs a clock read per phase.
 */
export const billingPhases: { record?: (phase: string, ms: number) => void } = {}

/** A clock whose `mark(phase)` records the time since the previous mark (or its creation) under `phase`. */
export function phaseClock() {
  let last = performance.now()
  return {
    mark(phase: string) {
      const now = performance.now()
      billingPhases.record?.(phase, now - last)
      last = now
    },
  }
}
