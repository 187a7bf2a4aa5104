import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * What the local simulators (SMS gateway, App IO) share: a loopback HTTP server, bounded JSON
 * bodies, answers, and a queue of injected faults for the tests (a status, a Retry-After, a delay).
 */
export class HttpFault extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {
    super(`HTTP ${status}`)
    this.name = 'HttpFault'
  }
}

export interface InjectedFault {
  status: number
  /** Seconds, sent as Retry-After. */
  retryAfter?: number
}

const MAX_BODY = 256 * 1024

export async function readBody(req: IncomingMessage, max = MAX_BODY): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) throw new HttpFault(413, { title: 'Payload Too Large', status: 413 })
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req)
  try {
    const value = JSON.parse(text) as unknown
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object')
    return value as Record<string, unknown>
  } catch {
    throw new HttpFault(400, { title: 'Bad Request', status: 400, detail: 'the body must be a JSON object' })
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify(body))
}

/** Starts a loopback server whose handler may throw HttpFault (answered as such) or anything else (500). */
export async function startHttp(
  port: number,
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>
): Promise<Server> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (error instanceof HttpFault) sendJson(res, error.status, error.body, error.headers)
      else sendJson(res, 500, { title: 'Internal Server Error', status: 500, detail: (error as Error).message })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return server
}

export function serverUrl(server: Server | undefined, host: string) {
  const address = server?.address() as AddressInfo | null | undefined
  if (!address) throw new Error('The simulator is not listening')
  return `http://${host}:${address.port}`
}

export async function stopHttp(server: Server | undefined) {
  if (!server) return
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
