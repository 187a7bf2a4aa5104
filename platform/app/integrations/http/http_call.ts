import { setTimeout as sleep } from 'node:timers/promises'

/**
 * One HTTP exchange with an external system (pagoPA, the SMS gateway, App IO), with what each of
 * their clients needs alike: a timeout per attempt, a bounded answer, and retries with exponential
 * backoff on network failures, timeouts, 5xx and 429 (waiting what Retry-After asks, within a
 * limit). 2xx–4xx other than 429 are answered to the caller, who knows what they mean.
 */
export interface HttpCallOptions {
  /** Names the call in errors: "GPD createPosition". */
  operation: string
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'
  url: string
  headers?: Record<string, string>
  /** Sent as JSON when defined. */
  json?: unknown
  /** Per attempt (default 10 s). */
  timeoutMs?: number
  /** Attempts in all, the first included (default 3). */
  attempts?: number
  /** First backoff (default 500 ms), doubled at each retry, with jitter. */
  backoffMs?: number
  /** The longest Retry-After honoured before giving up (default 60 s). */
  maxRetryAfterMs?: number
  /** The largest answer read (default 5 MB). */
  maxBytes?: number
}

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
  attempts: number
}

/** The system could not be reached, kept failing (5xx) or kept throttling: worth retrying later. */
export class ServiceUnavailableError extends Error {
  readonly retryable = true
  constructor(
    readonly operation: string,
    readonly detail: string,
    readonly status: number | null,
    /** When the system asked to wait (429 Retry-After), how long. */
    readonly retryAfterMs: number | null = null,
    options?: ErrorOptions
  ) {
    super(`${operation}: service unavailable (${detail})`, options)
    this.name = 'ServiceUnavailableError'
  }
}

/** Retry-After as seconds or an HTTP date, in milliseconds; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > maxBytes) {
    await response.body?.cancel()
    throw new Error(`answer of ${declared} bytes exceeds the ${maxBytes}-byte limit`)
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new Error(`answer exceeds the ${maxBytes}-byte limit`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function httpCall(options: HttpCallOptions): Promise<HttpAnswer> {
  const attempts = Math.max(1, options.attempts ?? 3)
  const timeoutMs = options.timeoutMs ?? 10_000
  const backoffMs = options.backoffMs ?? 500
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  let body: string | undefined
  if (options.json !== undefined) {
    body = JSON.stringify(options.json)
    headers['content-type'] = 'application/json'
  }
  let last: ServiceUnavailableError | null = null
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = Math.round(backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5))
    try {
      const response = await fetch(options.url, {
        method: options.method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      })
      const text = await readBounded(response, maxBytes)
      if (response.status === 429) {
        const asked = parseRetryAfter(response.headers.get('retry-after'))
        last = new ServiceUnavailableError(options.operation, 'too many requests (429)', 429, asked)
        if (asked !== null) {
          if (asked > maxRetryAfter) throw last
          wait = asked
        }
      } else if (response.status >= 500) {
        last = new ServiceUnavailableError(
          options.operation,
          `HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`,
          response.status
        )
      } else {
        return { status: response.status, headers: response.headers, text, attempts: attempt }
      }
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error
      const reason =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
          ? `no answer within ${timeoutMs} ms`
          : error instanceof Error
            ? ((error.cause as Error | undefined)?.message ?? error.message)
            : String(error)
      last = new ServiceUnavailableError(options.operation, reason, null, null, { cause: error })
    }
    if (attempt < attempts) await sleep(wait)
  }
  throw new ServiceUnavailableError(
    last!.operation,
    `${last!.detail}, after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
    last!.status,
    last!.retryAfterMs,
    { cause: last!.cause }
  )
}

/** Parses a JSON answer, naming the call when it is not JSON. */
export function parseJson<T>(answer: HttpAnswer, operation: string): T {
  try {
    return JSON.parse(answer.text) as T
  } catch {
    throw new ServiceUnavailableError(operation, `HTTP ${answer.status} with a body that is not JSON`, answer.status)
  }
}
