import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown

/**
 * What an id given by a reverse proxy or a client looks like to be kept: short, and nothing a log
 * line could be broken with. Any other value is replaced.
 */
const GIVEN_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Names every request before the framework sees it: the `X-Request-Id` a proxy in front gave it
 * (when it looks like one), or a new random UUID. The framework's logger then tags each line of the
 * request with it, and the answer carries it back, so a citizen's or an operator's report of an
 * error can be found in the logs. A UUID from `crypto.randomUUID` costs a fraction of the
 * framework's own id (a cuid2, a SHA-3 hash per request).
 */
export function identifyingRequests(handler: Handler): Handler {
  return (req, res) => {
    const given = req.headers['x-request-id']
    const id = typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID()
    req.headers['x-request-id'] = id
    res.setHeader('x-request-id', id)
    return handler(req, res)
  }
}

/** The HTTP server of a web process (and of the tests): requests named as `identifyingRequests` says. */
export function createIdentifyingServer(handler: Handler) {
  return createServer(identifyingRequests(handler))
}
