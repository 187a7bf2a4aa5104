import type { ApiError } from '#shared/contract'
import { currentLang } from '../i18n'

/** A refused request: its HTTP status and the errors of the platform's error shape. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiError[],
    /** The rest of the answer's body, for answers that carry more than errors. */
    readonly body: unknown = null
  ) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`)
  }
}

/**
 * One call to the platform's API under /api/v1, with the session cookie and the portal's language
 * (server messages, labels and fee summaries come back in it).
 */
export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${url}`, {
    method,
    credentials: 'same-origin',
    headers: {
      'accept': 'application/json',
      'accept-language': currentLang(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  let payload: unknown = {}
  try {
    payload = text ? JSON.parse(text) : {}
  } catch {
    // A proxy's HTML error page: the status says enough.
  }
  if (!response.ok) {
    const errors = (payload as { errors?: unknown })?.errors
    throw new ApiRequestError(
      response.status,
      Array.isArray(errors) ? (errors as ApiError[]) : [{ message: `HTTP ${response.status}` }],
      payload
    )
  }
  return payload as T
}

/** `/t/<slug>`: the prefix of every tenant route of the API. */
export const tenantBase = (slug: string) => `/t/${encodeURIComponent(slug)}`
