import type { Request } from '@adonisjs/core/http'
import type { Lang } from '#forms/types'

/** The language of the answer, from `Accept-Language`: Italian unless English is preferred. */
export function requestLanguage(request: Request): Lang {
  return request.language(['it', 'en']) ?? 'it'
}
