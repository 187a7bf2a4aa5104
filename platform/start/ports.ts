import { createServer } from 'node:net'

/**
 * A TCP port free on `host` right now, chosen by the system (listen on port 0, read it, close).
 * The test runner takes one for its HTTP server unless PORT is set, so the suite runs while the
 * demo (or a second copy of the suite) holds the usual port.
 */
export function freePort(host = '0.0.0.0'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))))
    })
  })
}
