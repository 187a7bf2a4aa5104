import type { Request } from '@adonisjs/core/http'
import type { Lang } from '#forms/types'

/** The language of the answer, from `Accept-Language`: Italian unless English is preferred. */
export function requestLanguage(request: Request): Lang {
  return request.language(['it', 'en']) ?? 'it'
}

/**
 * The language the request asks for: `?lang=it|en` (a plain link cannot set headers, and the
 * portal's language is the citizen's choice, not the browser's), else `Accept-Language`; null when
 * it names neither Italian nor English.
 */
export function askedLanguage(request: Request): Lang | null {
  const query = request.qs().lang
  if (query === 'it' || query === 'en') return query
  if (!request.header('accept-language')) return null
  return request.language(['it', 'en']) ?? null
}
