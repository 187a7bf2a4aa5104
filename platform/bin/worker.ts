/*
 * The worker's entry point: bin/server.ts in the `worker` role (job consumers and schedules, no
 * HTTP). The same as PROCESS_ROLE=worker with bin/server.ts, under a name that says what it runs.
 */
if (process.env.PROCESS_ROLE && process.env.PROCESS_ROLE !== 'worker') {
  process.stderr.write(`bin/worker starts the worker role, but PROCESS_ROLE is "${process.env.PROCESS_ROLE}"\n`)
  process.exit(1)
}
process.env.PROCESS_ROLE = 'worker'
await import('./server.js')
