import type { HttpContext } from '@adonisjs/core/http'

/** Lists answer 50 rows a page; a page number past this is not a page anyone reads. */
export const PAGE_SIZE = 50
export const MAX_PAGE = 10_000

/**
 * `?page=` as a whole number between 1 and MAX_PAGE. Anything else (absent, "abc", "-1") is
 * page 1, and a number past the bound is the bound: `page=1e300` once became an OFFSET of 5e301.
 */
export function pageParam(request: HttpContext['request']): number {
  const value = Number(request.input('page', 1))
  if (!Number.isFinite(value) || value < 1) return 1
  return Math.min(MAX_PAGE, Math.floor(value))
}
